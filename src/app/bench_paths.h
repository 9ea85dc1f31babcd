// Where `rerankd bench` and `rerankd tune` find the shared data and the source tree (for
// tools/peers) when no flag says: the environment, then paths compiled in at build time.
#pragma once

#include <filesystem>
#include <string>

namespace rerankd::app {

// flag, else $RERANKD_DATA_DIR, else the build's RERANKD_DATA_DIR (../shared/data).
std::filesystem::path data_dir_or_default(const std::string& flag);
// flag, else the source tree this binary was built from.
std::filesystem::path repo_dir_or_default(const std::string& flag);

}  // namespace rerankd::app
