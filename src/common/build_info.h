// What this binary is: its version, the commit it was built from and how it was built. Shown by
// `rerankd --version`, GET /info and the rerankd_build_info metric.
#pragma once

#include <string_view>

namespace rerankd {

struct BuildInfo {
  std::string_view version;     // the CMake project version, e.g. "0.1.0"
  std::string_view commit;      // `git describe --always --dirty` at build time, or "unknown"
  std::string_view build_type;  // CMAKE_BUILD_TYPE, e.g. "Release"
  std::string_view compiler;    // e.g. "GNU 12.2.0"
};

const BuildInfo& build_info();

}  // namespace rerankd
