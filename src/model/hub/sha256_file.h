// The SHA-256 of a file (OpenSSL), to check a downloaded LFS blob against the Hub's ETag.
#pragma once

#include <filesystem>
#include <string>

#include "common/result.h"

namespace rerankd::model::hub {

// 64 lower-case hex digits; NotFound / Internal naming the file when it cannot be read.
Result<std::string> sha256_of_file(const std::filesystem::path& path);

}  // namespace rerankd::model::hub
