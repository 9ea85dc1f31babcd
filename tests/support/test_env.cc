#include "support/test_env.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>

namespace rerankd::testing {
namespace {

std::filesystem::path env_or(const char* name, const char* built_in) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return built_in;
  return value;
}

}  // namespace

std::filesystem::path data_dir() { return env_or("RERANKD_DATA_DIR", RERANKD_DEFAULT_DATA_DIR); }
std::filesystem::path fixtures_dir() {
  return env_or("RERANKD_FIXTURES_DIR", RERANKD_DEFAULT_FIXTURES_DIR);
}
std::filesystem::path test_models_dir() {
  return env_or("RERANKD_TEST_MODELS_DIR", RERANKD_DEFAULT_TEST_MODELS_DIR);
}
std::filesystem::path conformance_model_dir() { return test_models_dir() / "minilm-l6-random"; }
std::filesystem::path tiny_model_dir() { return test_models_dir() / "tiny-random"; }
std::filesystem::path rerankd_binary() { return env_or("RERANKD_BINARY", RERANKD_DEFAULT_BINARY); }

std::filesystem::path make_temp_dir(const char* tag) {
  static std::atomic<int> counter{0};
  const auto dir = std::filesystem::temp_directory_path() /
                   ("rerankd-" + std::string(tag) + "-" + std::to_string(::getpid()) + "-" +
                    std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace rerankd::testing
