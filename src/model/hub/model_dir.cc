#include "model/hub/model_dir.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>

#include "common/file.h"
#include "model/hub/repo_ref.h"

namespace rerankd::model {
namespace {

namespace fs = std::filesystem;
using hub::is_hub_id;
using hub::repo_folder_name;

bool has_config(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "config.json", ec);
}

std::optional<std::string> read_ref(const fs::path& ref) {
  auto text = read_file(ref);
  if (!text.ok()) return std::nullopt;
  std::string rev = *text;
  while (!rev.empty() && (rev.back() == '\n' || rev.back() == '\r' || rev.back() == ' ')) {
    rev.pop_back();
  }
  if (rev.empty() || rev.find('/') != std::string::npos || rev == "." || rev == "..") {
    return std::nullopt;
  }
  return rev;
}

// The snapshot of one repo folder to use, recording each place looked at in `tried`.
std::optional<fs::path> find_snapshot(const fs::path& repo, std::vector<std::string>& tried) {
  std::error_code ec;
  const fs::path snapshots = repo / "snapshots";
  if (const auto rev = read_ref(repo / "refs" / "main")) {
    const fs::path snapshot = snapshots / *rev;
    if (has_config(snapshot)) return snapshot;
    tried.push_back(snapshot.string() + " (refs/main; no config.json)");
  }
  if (!fs::is_directory(snapshots, ec)) {
    tried.push_back(snapshots.string() + " (no such directory)");
    return std::nullopt;
  }
  std::optional<fs::path> newest;
  fs::file_time_type newest_time{};
  for (const auto& entry : fs::directory_iterator(snapshots, ec)) {
    if (!has_config(entry.path())) continue;
    const auto time = fs::last_write_time(entry.path(), ec);
    if (!newest || time > newest_time) {
      newest = entry.path();
      newest_time = time;
    }
  }
  if (!newest) tried.push_back(snapshots.string() + " (no snapshot with config.json)");
  return newest;
}

std::string join_tried(const std::vector<std::string>& tried) {
  std::string out;
  for (const auto& place : tried) out += "\n  " + place;
  return out;
}

}  // namespace

HubCacheDirs hub_cache_dirs_from_environment() {
  const auto env = [](const char* name) -> std::optional<fs::path> {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return fs::path(value);
  };
  HubCacheDirs dirs;
  const auto add = [&dirs](const fs::path& path) {
    if (std::find(dirs.roots.begin(), dirs.roots.end(), path) == dirs.roots.end()) {
      dirs.roots.push_back(path);
    }
  };
  if (const auto path = env("HF_HUB_CACHE")) add(*path);
  if (const auto path = env("HUGGINGFACE_HUB_CACHE")) add(*path);
  if (const auto path = env("HF_HOME")) add(*path / "hub");
  if (const auto path = env("XDG_CACHE_HOME")) add(*path / "huggingface" / "hub");
  if (const auto path = env("HOME")) add(*path / ".cache" / "huggingface" / "hub");
  return dirs;
}

Result<fs::path> resolve_model_dir(std::string_view model, const HubCacheDirs& caches) {
  std::vector<std::string> tried;
  const fs::path as_path{std::string(model)};
  std::error_code ec;
  if (fs::is_directory(as_path, ec)) {
    if (has_config(as_path)) return as_path;
    tried.push_back(as_path.string() + " (a directory, but no config.json)");
  } else {
    tried.push_back(as_path.string() + " (no such directory)");
  }
  if (is_hub_id(model)) {
    if (caches.roots.empty()) tried.push_back("(no Hugging Face cache directory is configured)");
    const std::string folder = repo_folder_name(model);
    for (const auto& root : caches.roots) {
      const fs::path repo = root / folder;
      if (!fs::is_directory(repo, ec)) {
        tried.push_back(repo.string() + " (no such directory)");
        continue;
      }
      if (auto snapshot = find_snapshot(repo, tried)) return *snapshot;
    }
  } else {
    tried.push_back("(\"" + std::string(model) + "\" is not a hub id of the form org/name)");
  }
  return not_found("model \"" + std::string(model) + "\" not found; tried:" + join_tried(tried));
}

}  // namespace rerankd::model
