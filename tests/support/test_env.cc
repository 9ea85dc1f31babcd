#include "support/test_env.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace rerankd::testing {
namespace {

std::filesystem::path required_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string(name) + " is not set; run the tests through ctest");
  }
  return value;
}

}  // namespace

std::filesystem::path data_dir() { return required_env("RERANKD_DATA_DIR"); }
std::filesystem::path fixtures_dir() { return required_env("RERANKD_FIXTURES_DIR"); }
std::filesystem::path test_models_dir() { return required_env("RERANKD_TEST_MODELS_DIR"); }
std::filesystem::path conformance_model_dir() { return test_models_dir() / "minilm-l6-random"; }
std::filesystem::path rerankd_binary() { return required_env("RERANKD_BINARY"); }

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
