// Turning --model into a model directory, downloading from the Hub when needed.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/result.h"
#include "model/hub/hub_settings.h"

namespace rerankd::model::hub {

// In order: a directory holding config.json, used as is; a Hub id ("org/name", "org/name@rev",
// or `revision` from --revision; "main" by default) whose snapshot is complete in the cache
// (settings.cache, then the other roots huggingface_hub may use), with no request; else a
// download into settings.cache, unless settings.offline, which is then a NotFound naming what is
// missing.
Result<std::filesystem::path> resolve_model(std::string_view model, std::string_view revision,
                                            const HubSettings& settings);

}  // namespace rerankd::model::hub
