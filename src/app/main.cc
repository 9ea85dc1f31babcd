// rerankd: rerank search results with cross-encoders.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "app/commands.h"
#include "backend/backend.h"
#include "common/build_info.h"

namespace rerankd::app {

int report_failure(const char* command, const Status& status) {
  fmt::print(stderr, "rerankd {}: error: {}\n", command, status.to_string());
  return 1;
}

}  // namespace rerankd::app

int main(int argc, char** argv) {
  using namespace rerankd::app;
  CLI::App app{"rerankd: rerank search results with cross-encoders"};
  const rerankd::BuildInfo& build = rerankd::build_info();
  std::string backends;
  for (const std::string& name : rerankd::backend::available_backends()) {
    backends += backends.empty() ? name : ", " + name;
  }
  app.set_version_flag("--version",
                       fmt::format("rerankd {} (commit {}, {}, {}; backends: {})", build.version,
                                   build.commit, build.build_type, build.compiler, backends));
  app.require_subcommand(1);
  CommandRunner selected;
  add_serve_command(app, selected);
  add_score_command(app, selected);
  add_rank_command(app, selected);
  add_tokenize_command(app, selected);
  add_info_command(app, selected);
  add_make_model_command(app, selected);
  add_bench_command(app, selected);
  add_tune_command(app, selected);
  add_download_command(app, selected);
  CLI11_PARSE(app, argc, argv);
  return selected ? selected() : 1;
}
