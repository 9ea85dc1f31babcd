// Helpers shared by the fuzz harnesses: reporting a broken invariant, where the fixtures are,
// and a scratch directory for loaders that take only paths.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace rerankd::fuzz {

// Aborts, so that libFuzzer (or replay_main) reports the input.
[[noreturn]] inline void fail(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz invariant broken: %.*s: %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// A directory of its own under $TMPDIR (or /tmp) for this process, removed at exit.
inline const std::filesystem::path& scratch_dir() {
  struct Dir {
    std::filesystem::path path;
    Dir() {
      const char* tmp = std::getenv("TMPDIR");
      std::string pattern =
          std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/rerankd-fuzz-XXXXXX";
      if (mkdtemp(pattern.data()) == nullptr) fail("mkdtemp", pattern);
      path = pattern;
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

// A file under the fixtures (tests/fixtures) or the shared data folder: the directory given by
// the environment variable `env` when set (RERANKD_FUZZ_FIXTURES_DIR, RERANKD_DATA_DIR: for
// binaries copied to another machine), else the one compiled in.
inline std::string data_file(const char* env, const char* built_in, std::string_view relative) {
  const char* dir = std::getenv(env);
  std::string path = dir != nullptr && *dir != '\0' ? dir : built_in;
  path += '/';
  path += relative;
  return path;
}

inline std::string fixture_file(std::string_view relative) {
  return data_file("RERANKD_FUZZ_FIXTURES_DIR", RERANKD_FUZZ_FIXTURES_DIR, relative);
}

inline std::string shared_data_file(std::string_view relative) {
  return data_file("RERANKD_DATA_DIR", RERANKD_FUZZ_DATA_DIR, relative);
}

// Writes `bytes` to `path`, replacing it.
inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) fail("writing a scratch file", path.string());
}

}  // namespace rerankd::fuzz
