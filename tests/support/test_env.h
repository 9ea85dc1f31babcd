// Paths tests need: built in by tests/support/CMakeLists.txt, each overridable by the
// environment variable named below.
#pragma once

#include <filesystem>

namespace rerankd::testing {

// ../shared/data (RERANKD_DATA_DIR).
std::filesystem::path data_dir();
// tests/fixtures in the source tree (RERANKD_FIXTURES_DIR).
std::filesystem::path fixtures_dir();
// <build>/test-models, where generated models go (RERANKD_TEST_MODELS_DIR).
std::filesystem::path test_models_dir();
// The conformance model written by the make_conformance_model fixture.
std::filesystem::path conformance_model_dir();
// The small model written by the make_tiny_model fixture.
std::filesystem::path tiny_model_dir();
// The rerankd binary (RERANKD_BINARY).
std::filesystem::path rerankd_binary();
// A fresh empty directory under the system temp folder, unique per call.
std::filesystem::path make_temp_dir(const char* tag);

}  // namespace rerankd::testing
