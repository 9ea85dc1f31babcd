// rerankd tune: searches batch size, concurrency and batching timeout on this machine for the
// highest throughput whose p50 meets --slo-p50-ms, and writes that config (bench/tuner.h).
#include <fmt/core.h>

#include <CLI/CLI.hpp>

#include "app/bench_paths.h"
#include "app/commands.h"
#include "app/engine_flags.h"
#include "bench/machine_info.h"
#include "bench/point_measure.h"
#include "bench/progress_bar.h"
#include "bench/tuner.h"
#include "common/file.h"

namespace rerankd::app {
namespace {

struct TuneFlags {
  double slo_p50_ms = 200;
  std::string model = "cross-encoder/ms-marco-MiniLM-L-6-v2";
  std::string config_file;
  std::string backend;
  std::string dtype;
  int threads = -1;
  int documents = 20;
  double warmup_s = 1;
  double duration_s = 5;
  int max_batch_size = 256;
  int max_concurrency = 0;
  std::string out = "tuned.yaml";
  std::string data_dir;
};

Result<bench::TuneOptions> tune_options(const TuneFlags& flags) {
  bench::TuneOptions options;
  options.slo_p50_ms = flags.slo_p50_ms;
  options.max_batch_size_limit = flags.max_batch_size;
  options.max_concurrency_limit = flags.max_concurrency;
  bench::RunSettings& base = options.base;
  if (!flags.config_file.empty()) {
    RERANKD_ASSIGN_OR_RETURN(base.config, config::load_config_file(flags.config_file));
  }
  base.config.model.path = flags.model;
  if (!flags.backend.empty()) base.config.model.backend = flags.backend;
  if (!flags.dtype.empty()) base.config.model.dtype = flags.dtype;
  if (flags.threads >= 0) base.config.model.threads = flags.threads;
  base.workload.documents = flags.documents;
  base.load.warmup_s = flags.warmup_s;
  base.load.duration_s = flags.duration_s;
  RERANKD_RETURN_IF_ERROR(bench::validate_settings(base));
  if (options.slo_p50_ms <= 0) return invalid_argument("--slo-p50-ms: must be positive");
  return options;
}

std::string candidate_label(const bench::RunSettings& s) {
  return fmt::format("batch {} conc {} timeout {} ms", s.config.batching.max_batch_size,
                     s.config.server.max_concurrency, s.config.batching.timeout_ms);
}

Status run_tune(const TuneFlags& flags) {
  RERANKD_ASSIGN_OR_RETURN(const auto options, tune_options(flags));
  RERANKD_ASSIGN_OR_RETURN(const auto model_dir, resolve_model_flag(flags.model));
  const auto data_dir = data_dir_or_default(flags.data_dir);
  bench::TargetPool pool(model_dir);
  bench::ProgressBar bar(bench::progress_bar_wanted(), "tune", 1);
  const bench::MeasureFn measure =
      [&](const bench::RunSettings& settings) -> Result<bench::ResultPoint> {
    bench::GridPoint point{{}, settings};
    bench::ResultPoint result =
        bench::measure_point(pool, point, data_dir, [&](double f) { bar.update(0, f); });
    result.label = candidate_label(settings);
    bar.clear();
    if (result.status != bench::PointStatus::kOk) {
      return failed_precondition(result.label + ": " + result.note);
    }
    fmt::print("  {:<32} {:9.1f} pairs/s  p50 {:8.1f} ms  ({} clients)\n", result.label,
               result.pairs_per_s, result.latency_ms.p50, settings.load.clients);
    return result;
  };
  RERANKD_ASSIGN_OR_RETURN(const auto outcome, bench::tune(options, measure));
  pool.release();
  const std::string yaml =
      bench::tuned_config_yaml(outcome, options, bench::collect_machine_info());
  RERANKD_RETURN_IF_ERROR(write_file_atomically(flags.out, yaml));
  fmt::print("wrote {}: batch {}, concurrency {}, timeout {} ms\n", flags.out,
             outcome.config.batching.max_batch_size, outcome.config.server.max_concurrency,
             outcome.config.batching.timeout_ms);
  return {};
}

}  // namespace

void add_tune_command(CLI::App& app, CommandRunner& selected) {
  auto flags = std::make_shared<TuneFlags>();
  CLI::App* command = app.add_subcommand(
      "tune",
      "Find the batch size, concurrency and timeout with the best throughput under a "
      "p50 target on this machine, and write them as a serve config");
  command->add_option("--slo-p50-ms", flags->slo_p50_ms, "p50 latency target per request (ms)")
      ->capture_default_str();
  command->add_option("-m,--model", flags->model, "Model directory or cached hub id")
      ->capture_default_str();
  command->add_option("-c,--config", flags->config_file, "A serve config to start from");
  command->add_option("--backend", flags->backend, "Backend (default: the config's)");
  command->add_option("--dtype", flags->dtype, "Dtype (default: the config's)");
  command->add_option("--threads", flags->threads,
                      "CPU threads per backend (0 = the cores shared among the workers)");
  command->add_option("--documents", flags->documents, "Documents per request")
      ->capture_default_str();
  command->add_option("--warmup-s", flags->warmup_s, "Warm-up per candidate")
      ->capture_default_str();
  command->add_option("--duration-s", flags->duration_s, "Measured seconds per candidate")
      ->capture_default_str();
  command->add_option("--max-batch-size", flags->max_batch_size, "Largest batch size to try")
      ->capture_default_str();
  command
      ->add_option("--max-concurrency", flags->max_concurrency,
                   "Most workers to try (0 = the number of cores)")
      ->capture_default_str();
  command->add_option("-o,--out", flags->out, "Where to write the config")->capture_default_str();
  command->add_option("--data-dir", flags->data_dir, "The shared data (MS MARCO sample)");
  command->callback([flags, &selected] {
    selected = [flags] {
      const Status status = run_tune(*flags);
      return status.ok() ? 0 : report_failure("tune", status);
    };
  });
}

}  // namespace rerankd::app
