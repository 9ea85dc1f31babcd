// Where and how rerankd talks to the Hugging Face Hub, read from the environment the way
// huggingface_hub reads it (constants.py), so both tools share one cache and one login.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace rerankd::model::hub {

struct HubSettings {
  std::string endpoint = "https://huggingface.co";  // HF_ENDPOINT, no trailing '/'
  std::optional<std::string> token;                 // HF_TOKEN, else the token file
  std::filesystem::path cache;                      // HF_HUB_CACHE, else $HF_HOME/hub
  bool offline = false;                             // HF_HUB_OFFLINE
  long metadata_timeout_s = 10;                     // HF_HUB_ETAG_TIMEOUT
  long download_timeout_s = 10;                     // HF_HUB_DOWNLOAD_TIMEOUT: longest stall
};

// HF_ENDPOINT; HF_TOKEN, else the file HF_TOKEN_PATH, else $HF_HOME/token (HF_HOME defaults to
// $XDG_CACHE_HOME/huggingface, then ~/.cache/huggingface); HF_HUB_CACHE, else the legacy
// HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub; HF_HUB_OFFLINE ("1", "true", "yes" or "on").
HubSettings hub_settings_from_environment();

}  // namespace rerankd::model::hub
