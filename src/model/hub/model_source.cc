#include "model/hub/model_source.h"

#include "model/hub/hub_cache.h"
#include "model/hub/hub_download.h"
#include "model/hub/repo_ref.h"
#include "model/hub/model_dir.h"

namespace rerankd::model::hub {
namespace {

namespace fs = std::filesystem;

bool is_model_directory(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path / "config.json", ec);
}

}  // namespace

Result<fs::path> resolve_model(std::string_view model, std::string_view revision,
                               const HubSettings& settings) {
  const fs::path as_path{std::string(model)};
  if (is_model_directory(as_path)) return as_path;
  std::error_code ec;
  if (fs::is_directory(as_path, ec)) {
    return not_found("model directory " + as_path.string() + " has no config.json");
  }
  auto ref = parse_repo_ref(model, revision);
  if (!ref.ok()) {
    return not_found("model \"" + std::string(model) + "\": no such directory, and not a Hub id (" +
                     ref.status().message() + ")");
  }
  const HubCache cache(settings.cache, ref->id);
  if (const auto commit = cache.commit_of(ref->revision)) {
    if (is_complete_snapshot(cache.snapshot(*commit))) return cache.snapshot(*commit);
  }
  if (ref->revision == "main") {
    // Caches other tools filled under another root (HF_HOME vs XDG), as before downloads existed.
    auto found = resolve_model_dir(ref->id, hub_cache_dirs_from_environment());
    if (found.ok() && is_complete_snapshot(*found)) return *found;
  }
  if (settings.offline) {
    const auto commit = cache.commit_of(ref->revision);
    const std::string missing =
        commit ? (cache.snapshot(*commit) / "config.json").string() + " and its weights"
               : (cache.repo_dir() / "refs" / ref->revision).string();
    return not_found(ref->id + "@" + ref->revision + " is not in the Hugging Face cache (missing " +
                     missing +
                     ") and offline mode (HF_HUB_OFFLINE or --offline) forbids a download");
  }
  return download_snapshot(*ref, settings);
}

}  // namespace rerankd::model::hub
