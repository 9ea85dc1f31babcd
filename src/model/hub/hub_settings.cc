#include "model/hub/hub_settings.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/file.h"

namespace rerankd::model::hub {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

bool is_true(const std::optional<std::string>& value) {
  if (!value) return false;
  std::string lower = *value;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "1" || lower == "true" || lower == "yes" || lower == "on";
}

fs::path hf_home() {
  if (const auto home = env("HF_HOME")) return *home;
  if (const auto xdg = env("XDG_CACHE_HOME")) return fs::path(*xdg) / "huggingface";
  return fs::path(env("HOME").value_or(".")) / ".cache" / "huggingface";
}

std::string trimmed(std::string text) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

long seconds(const char* name, long fallback) {
  const auto value = env(name);
  if (!value) return fallback;
  char* end = nullptr;
  const double parsed = std::strtod(value->c_str(), &end);
  if (end == value->c_str() || parsed <= 0) return fallback;
  return std::max(1L, static_cast<long>(parsed + 0.5));
}

}  // namespace

HubSettings hub_settings_from_environment() {
  HubSettings settings;
  if (auto endpoint = env("HF_ENDPOINT")) {
    while (!endpoint->empty() && endpoint->back() == '/') endpoint->pop_back();
    settings.endpoint = *endpoint;
  }
  const fs::path home = hf_home();
  if (const auto token = env("HF_TOKEN")) {
    settings.token = trimmed(*token);
  } else {
    const fs::path file = env("HF_TOKEN_PATH").value_or((home / "token").string());
    if (auto text = read_file(file); text.ok() && !trimmed(*text).empty()) {
      settings.token = trimmed(*text);
    }
  }
  if (const auto cache = env("HF_HUB_CACHE")) {
    settings.cache = *cache;
  } else if (const auto legacy = env("HUGGINGFACE_HUB_CACHE")) {
    settings.cache = *legacy;
  } else {
    settings.cache = home / "hub";
  }
  settings.offline = is_true(env("HF_HUB_OFFLINE"));
  settings.metadata_timeout_s = seconds("HF_HUB_ETAG_TIMEOUT", settings.metadata_timeout_s);
  settings.download_timeout_s = seconds("HF_HUB_DOWNLOAD_TIMEOUT", settings.download_timeout_s);
  return settings;
}

}  // namespace rerankd::model::hub
