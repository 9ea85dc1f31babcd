// The subcommands of the `rerankd` binary. Each add_*_command registers its options on `app`
// and, when it is the subcommand the user chose, sets `selected` to the function that runs it
// and returns the process exit status.
#pragma once

#include <functional>

#include "common/status.h"

namespace CLI {
class App;
}

namespace rerankd::app {

using CommandRunner = std::function<int()>;

void add_score_command(CLI::App& app, CommandRunner& selected);
void add_tokenize_command(CLI::App& app, CommandRunner& selected);
void add_rank_command(CLI::App& app, CommandRunner& selected);
void add_info_command(CLI::App& app, CommandRunner& selected);
void add_make_model_command(CLI::App& app, CommandRunner& selected);
void add_serve_command(CLI::App& app, CommandRunner& selected);
void add_bench_command(CLI::App& app, CommandRunner& selected);
void add_tune_command(CLI::App& app, CommandRunner& selected);
void add_download_command(CLI::App& app, CommandRunner& selected);

// Prints "rerankd <command>: error: <status>" to standard error and returns exit status 1.
int report_failure(const char* command, const Status& status);

}  // namespace rerankd::app
