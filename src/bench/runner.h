// Runs experiments end to end: each grid point against its target (an in-process engine, a
// server the runner starts, or a URL), the peers at each point, then results.json,
// results.csv, report.md and the plots in <out>/<experiment name>/, and summary.md in <out>.
// Engines and servers are reused across consecutive points with the same config.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "bench/experiment.h"
#include "bench/results.h"
#include "common/result.h"

namespace rerankd::bench {

struct RunnerOptions {
  std::string model_override;  // --model: replaces the experiment's model
  // --set KEY=VALUE: applied to every experiment's base settings (a swept key still sweeps).
  std::vector<std::pair<std::string, std::string>> overrides;
  std::filesystem::path out_dir;   // --out: required
  std::filesystem::path data_dir;  // the shared data (workloads)
  std::filesystem::path repo_dir;  // where tools/peers lives
  std::string python = "python3";  // for the peers
  bool run_peers = true;
  bool progress_bar = false;  // a terminal progress bar on stderr
  // One line per finished point ("05_batch_size [3/9] batch=32: 512.3 pairs/s, p50 61.2 ms").
  std::function<void(const std::string&)> log;
};

// Runs one experiment and writes its files; a point that cannot run is recorded as not_built
// or failed (with the reason) and the run goes on. Errors only for what stops everything (an
// unwritable out dir, an unresolvable model).
Result<ExperimentResult> run_experiment(const Experiment& experiment, const RunnerOptions& options);

// Writes results.json, results.csv, report.md and the plots of `result` to
// <out_dir>/<result.experiment>/ and returns the report's path relative to out_dir.
Result<std::string> write_experiment_files(const ExperimentResult& result,
                                           const std::filesystem::path& out_dir);

// summary.md over the given results (report_files relative to out_dir).
Status write_summary(const std::vector<ExperimentResult>& results,
                     const std::vector<std::string>& report_files,
                     const std::filesystem::path& out_dir);

}  // namespace rerankd::bench
