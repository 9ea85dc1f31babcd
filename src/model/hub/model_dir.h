// Turning what the user typed after --model into a model directory.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rerankd::model {

// Where Hugging Face hub caches may live, in the order to try.
struct HubCacheDirs {
  std::vector<std::filesystem::path> roots;
};

// The one function of this module that reads the environment (the app calls it once): every
// cache root that is set, in huggingface_hub's order of precedence (constants.py): HF_HUB_CACHE,
// the legacy HUGGINGFACE_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME/huggingface/hub, then
// $HOME/.cache/huggingface/hub. Duplicates are dropped.
HubCacheDirs hub_cache_dirs_from_environment();

// A directory that holds config.json is used as is. Otherwise `model` is read as a hub id
// ("org/name") and looked up in each cache root as models--org--name/snapshots/<rev>/, taking
// the revision refs/main points to, else the only snapshot (the most recently modified one
// when there are several). NotFound names every place tried.
Result<std::filesystem::path> resolve_model_dir(std::string_view model, const HubCacheDirs& caches);

}  // namespace rerankd::model
