// Running a helper program (a peer script) to completion with its output in a log file.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"

namespace rerankd::bench {

// Runs argv[0] (looked up on PATH) with standard output and error appended to `log_file`, and
// returns its exit status (128 + signal when killed). Error when it could not be started.
Result<int> run_child(const std::vector<std::string>& argv, const std::filesystem::path& log_file);

// The last `max_bytes` of a file, for error messages.
std::string file_tail(const std::filesystem::path& file, std::size_t max_bytes = 2000);

}  // namespace rerankd::bench
