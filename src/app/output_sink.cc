#include "app/output_sink.h"

#include <cstdio>

#include "common/file.h"

namespace rerankd::app {

Status write_output(const std::filesystem::path& path, const std::string& content) {
  if (path.empty() || path == "-") {
    if (std::fwrite(content.data(), 1, content.size(), stdout) != content.size() ||
        std::fflush(stdout) != 0) {
      return internal_error("cannot write to standard output");
    }
    return {};
  }
  return write_file_atomically(path, content);
}

}  // namespace rerankd::app
