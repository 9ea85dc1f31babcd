// Writing a command's output all at once: to standard output, or to a file that appears only
// when complete (written beside it, then renamed), so a failed run never leaves half a file.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"

namespace rerankd::app {

// `path` empty or "-" means standard output.
Status write_output(const std::filesystem::path& path, const std::string& content);

}  // namespace rerankd::app
