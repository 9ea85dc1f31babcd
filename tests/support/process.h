// Running the real rerankd binary from a test: argv in, exit status and both streams out.
#pragma once

#include <string>
#include <vector>

namespace rerankd::testing {

struct ProcessResult {
  int exit_status = -1;  // the exit code, or 128 + signal when killed by a signal
  std::string stdout_text;
  std::string stderr_text;
};

// Runs `argv` (argv[0] is the program path) with `stdin_text` on standard input and waits.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_text = "");

}  // namespace rerankd::testing
