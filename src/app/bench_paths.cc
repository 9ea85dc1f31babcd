#include "app/bench_paths.h"

#include <cstdlib>

namespace rerankd::app {

std::filesystem::path data_dir_or_default(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("RERANKD_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return RERANKD_DEFAULT_DATA_DIR;
}

std::filesystem::path repo_dir_or_default(const std::string& flag) {
  if (!flag.empty()) return flag;
  return RERANKD_SOURCE_DIR;
}

}  // namespace rerankd::app
