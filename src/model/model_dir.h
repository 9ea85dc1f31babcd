// Turning what the user typed after --model into a model directory.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rerankd::model {

// Where Hugging Face hub caches may live, in the order to try. The app fills this from the
// environment (HF_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME/huggingface/hub, ~/.cache/...);
// this module reads no environment itself.
struct HubCacheDirs {
  std::vector<std::filesystem::path> roots;
};

HubCacheDirs hub_cache_dirs_from_environment();

// A directory that holds config.json is used as is. Otherwise `model` is read as a hub id
// ("org/name") and looked up in each cache root as models--org--name/snapshots/<rev>/, taking
// the revision refs/main points to, else the only snapshot. NotFound names every place tried.
Result<std::filesystem::path> resolve_model_dir(std::string_view model, const HubCacheDirs& caches);

}  // namespace rerankd::model
