#include "app/output_sink.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace rerankd::app {

Status write_output(const std::filesystem::path& path, const std::string& content) {
  if (path.empty() || path == "-") {
    if (std::fwrite(content.data(), 1, content.size(), stdout) != content.size() ||
        std::fflush(stdout) != 0) {
      return internal_error("cannot write to standard output");
    }
    return {};
  }
  auto partial = path;
  partial += ".partial-" + std::to_string(::getpid());
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) return invalid_argument(path.string() + ": cannot open for writing");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      std::filesystem::remove(partial);
      return internal_error(path.string() + ": write failed");
    }
  }
  std::error_code error;
  std::filesystem::rename(partial, path, error);
  if (error) {
    std::filesystem::remove(partial);
    return internal_error(path.string() +
                          ": cannot rename the finished output into place: " + error.message());
  }
  return {};
}

}  // namespace rerankd::app
