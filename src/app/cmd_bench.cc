// rerankd bench EXPERIMENT.yaml [...]: runs experiments and writes their reports; with
// --from-results, re-renders reports and the summary from recorded results.json files.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "app/bench_paths.h"
#include "app/commands.h"
#include "bench/experiment.h"
#include "bench/progress_bar.h"
#include "bench/results_io.h"
#include "bench/runner.h"

namespace rerankd::app {
namespace {

struct BenchFlags {
  std::vector<std::string> experiments;
  std::vector<std::string> from_results;
  std::string model;
  std::vector<std::string> sets;  // KEY=VALUE
  std::string out = "bench-out";
  std::string data_dir;
  std::string repo_dir;
  std::string python = "python3";
  bool no_peers = false;
  bool quiet = false;
};

Result<std::vector<bench::Experiment>> load_all(const std::vector<std::string>& files) {
  std::vector<bench::Experiment> experiments;
  for (const auto& file : files) {  // all parsed first: a typo in the last fails in seconds
    RERANKD_ASSIGN_OR_RETURN(auto experiment, bench::load_experiment_file(file));
    experiments.push_back(std::move(experiment));
  }
  return experiments;
}

Status write_reports(const std::vector<bench::ExperimentResult>& results, const std::string& out) {
  std::vector<std::string> reports;
  for (const auto& result : results) {
    RERANKD_ASSIGN_OR_RETURN(auto report, bench::write_experiment_files(result, out));
    reports.push_back(std::move(report));
  }
  RERANKD_RETURN_IF_ERROR(bench::write_summary(results, reports, out));
  fmt::print("wrote {}/summary.md and {} experiment report(s)\n", out, results.size());
  return {};
}

Status run_bench(const BenchFlags& flags) {
  std::vector<bench::ExperimentResult> results;
  if (!flags.from_results.empty()) {
    for (const auto& file : flags.from_results) {
      RERANKD_ASSIGN_OR_RETURN(auto result, bench::load_results_file(file));
      results.push_back(std::move(result));
    }
    return write_reports(results, flags.out);
  }
  RERANKD_ASSIGN_OR_RETURN(const auto experiments, load_all(flags.experiments));
  bench::RunnerOptions options;
  options.model_override = flags.model;
  for (const auto& set : flags.sets) {
    const auto equals = set.find('=');
    if (equals == std::string::npos) {
      return invalid_argument("--set " + set + ": expected KEY=VALUE");
    }
    options.overrides.emplace_back(set.substr(0, equals), set.substr(equals + 1));
  }
  options.out_dir = flags.out;
  options.data_dir = data_dir_or_default(flags.data_dir);
  options.repo_dir = repo_dir_or_default(flags.repo_dir);
  options.python = flags.python;
  options.run_peers = !flags.no_peers;
  options.progress_bar = !flags.quiet && bench::progress_bar_wanted();
  if (!flags.quiet) options.log = [](const std::string& line) { fmt::print("{}\n", line); };
  for (const auto& experiment : experiments) {
    RERANKD_ASSIGN_OR_RETURN(auto result, bench::run_experiment(experiment, options));
    // Each experiment's files are written as soon as it ends: a long run interrupted later
    // keeps what it measured.
    const auto written = bench::write_experiment_files(result, flags.out);
    if (!written.ok()) return written.status();
    results.push_back(std::move(result));
  }
  return write_reports(results, flags.out);
}

}  // namespace

void add_bench_command(CLI::App& app, CommandRunner& selected) {
  auto flags = std::make_shared<BenchFlags>();
  CLI::App* command = app.add_subcommand(
      "bench", "Run experiments (experiments/*.yaml) and write their reports and summary.md");
  command->add_option("experiments", flags->experiments, "Experiment YAML files");
  command->add_option("--from-results", flags->from_results,
                      "Re-render reports from recorded results.json files instead of running");
  command->add_option("-m,--model", flags->model,
                      "Model directory or cached hub id (overrides "
                      "the experiments')");
  command->add_option(
      "--set", flags->sets,
      "KEY=VALUE for every experiment, e.g. model.backend=cpu or load.duration_s=5");
  command->add_option("-o,--out", flags->out, "Output directory")->capture_default_str();
  command->add_option("--data-dir", flags->data_dir,
                      "The shared data (MS MARCO sample, vocab); default $RERANKD_DATA_DIR or "
                      "../shared/data beside the source tree");
  command->add_option("--repo-dir", flags->repo_dir,
                      "Where tools/peers lives; default the source tree rerankd was built from");
  command->add_option("--python", flags->python, "Python for the peers")->capture_default_str();
  command->add_flag("--no-peers", flags->no_peers, "Skip the experiments' peer scripts");
  command->add_flag("-q,--quiet", flags->quiet, "No progress bar and no per-point lines");
  command->callback([flags, &selected] {
    selected = [flags] {
      if (flags->experiments.empty() == flags->from_results.empty()) {
        return report_failure("bench", invalid_argument("give experiment files or "
                                                        "--from-results files (one of them)"));
      }
      const Status status = run_bench(*flags);
      return status.ok() ? 0 : report_failure("bench", status);
    };
  });
}

}  // namespace rerankd::app
