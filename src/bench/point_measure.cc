#include "bench/point_measure.h"

#include <algorithm>
#include <vector>

#include "bench/stats.h"

namespace rerankd::bench {
namespace {

// What defined a run beyond its swept params, recorded with every point.
std::map<std::string, std::string> settings_record(const RunSettings& s) {
  return {{"target", s.target},
          {"model.backend", s.config.model.backend},
          {"model.dtype", s.config.model.dtype},
          {"model.threads", std::to_string(s.config.model.threads)},
          {"batching.enabled", s.config.batching.enabled ? "true" : "false"},
          {"batching.max_batch_size", std::to_string(s.config.batching.max_batch_size)},
          {"batching.timeout_ms", std::to_string(s.config.batching.timeout_ms)},
          {"server.max_concurrency", std::to_string(s.config.server.max_concurrency)},
          {"workload.kind", s.workload.kind},
          {"workload.documents", std::to_string(s.workload.documents)},
          {"load.mode", s.load.mode},
          {"load.clients", std::to_string(s.load.clients)}};
}

std::string backend_label(const RunSettings& s) {
  return s.config.model.backend + " " + s.config.model.dtype;
}

}  // namespace

ResultPoint measure_point(TargetPool& pool, const GridPoint& point,
                          const std::filesystem::path& data_dir, const ProgressFn& progress) {
  ResultPoint result;
  result.label = backend_label(point.settings);
  result.params = point.params;
  result.settings = settings_record(point.settings);
  const auto target = pool.acquire(point.settings);
  if (!target.ok()) {
    result.status = target.status().code() == StatusCode::kUnimplemented ? PointStatus::kNotBuilt
                                                                         : PointStatus::kFailed;
    result.note = target.status().message();
    return result;
  }
  const auto workload = make_workload(point.settings.workload, data_dir);
  if (!workload.ok()) {
    result.status = PointStatus::kFailed;
    result.note = workload.status().message();
    return result;
  }
  // load.repeats whole load runs, each with its warm-up: a run opens its own sessions, and the
  // model_only target's sessions are fresh backends. Progress spans all of them.
  const int repeats = std::max(1, point.settings.load.repeats);
  std::vector<LoadRun> runs;
  std::vector<double> pairs_per_s;
  for (int i = 0; i < repeats; ++i) {
    const auto run = run_load(**target, *workload, point.settings.load, [&](double fraction) {
      if (progress) progress((i + fraction) / repeats);
    });
    if (!run.ok()) {
      // The model_only target creates its backends as sessions open, so a backend this build
      // lacks shows up here rather than at acquire.
      result.status = run.status().code() == StatusCode::kUnimplemented ? PointStatus::kNotBuilt
                                                                        : PointStatus::kFailed;
      result.note = run.status().message();
      return result;
    }
    ResultPoint window;
    fill_measurements(*run, window);
    pairs_per_s.push_back(window.pairs_per_s);
    runs.push_back(*run);
  }
  fill_measurements(runs[median_index(pairs_per_s)], result);
  if (repeats > 1) result.repeat_pairs_per_s = pairs_per_s;
  if (result.requests == 0) {
    // A window shorter than one request measures nothing; zeros would read as a result.
    result.status = PointStatus::kFailed;
    result.note = "no request completed in the measured window; lengthen load.duration_s";
  }
  return result;
}

}  // namespace rerankd::bench
