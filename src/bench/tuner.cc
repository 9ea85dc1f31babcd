#include "bench/tuner.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "bench/recommend.h"

namespace rerankd::bench {
namespace {

constexpr double kMinGain = 1.03;  // a step must add 3% throughput to be worth its latency
constexpr int kTimeoutsMs[] = {0, 5, 20, 50};
constexpr const char* kStepNames[] = {"batch size", "concurrency", "timeout"};

int concurrency_limit(const TuneOptions& options) {
  if (options.max_concurrency_limit > 0) return options.max_concurrency_limit;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::vector<int> batch_sizes(int limit) {
  std::vector<int> sizes;
  for (int size = 8; size <= limit; size *= 2) sizes.push_back(size);
  if (sizes.empty() || sizes.back() != limit) sizes.push_back(limit);
  return sizes;
}

void set_step_value(int step, int value, RunSettings& settings) {
  if (step == 0) settings.config.batching.max_batch_size = value;
  if (step == 1) settings.config.server.max_concurrency = value;
  if (step == 2) settings.config.batching.timeout_ms = value;
}

// The values the early stop looks at, in order: measure while throughput still grows and the
// target holds.
bool stop_after(const std::vector<ResultPoint>& points, double slo_p50_ms) {
  if (points.size() < 2) return false;
  const ResultPoint& last = points.back();
  const ResultPoint& before = points[points.size() - 2];
  if (last.status != PointStatus::kOk) return true;
  if (slo_p50_ms > 0 && last.latency_ms.p50 > slo_p50_ms) return true;
  return last.pairs_per_s < before.pairs_per_s * kMinGain;
}

std::string point_summary(const ResultPoint& point) {
  char text[200];
  std::snprintf(text, sizeof text, "%-28s %9.1f pairs/s  p50 %8.1f ms  p99 %8.1f ms  errors %lld",
                point.label.c_str(), point.pairs_per_s, point.latency_ms.p50, point.latency_ms.p99,
                static_cast<long long>(point.errors));
  return text;
}

}  // namespace

int clients_to_fill(const RunSettings& settings) {
  const long pairs = static_cast<long>(settings.config.batching.max_batch_size) *
                     settings.config.server.max_concurrency;
  const long documents = std::max(1, settings.workload.documents);
  return static_cast<int>(std::max(1L, (pairs + documents - 1) / documents));
}

std::vector<RunSettings> candidates_for_step(int step, const RunSettings& best,
                                             const TuneOptions& options) {
  std::vector<int> values;
  if (step == 0) values = batch_sizes(options.max_batch_size_limit);
  if (step == 1) {
    for (int c = 1; c <= concurrency_limit(options); ++c) values.push_back(c);
  }
  if (step == 2) values.assign(std::begin(kTimeoutsMs), std::end(kTimeoutsMs));
  std::vector<RunSettings> candidates;
  for (const int value : values) {
    RunSettings settings = best;
    if (step == 0) settings.config.server.max_concurrency = 1;
    set_step_value(step, value, settings);
    settings.load.mode = "closed";
    settings.load.clients = clients_to_fill(settings);
    candidates.push_back(std::move(settings));
  }
  return candidates;
}

Result<TuneOutcome> tune(const TuneOptions& options, const MeasureFn& measure) {
  TuneOutcome outcome;
  RunSettings best = options.base;
  for (int step = 0; step < 3; ++step) {
    TuneStep record{kStepNames[step], {}, 0, {}};
    std::vector<RunSettings> measured_settings;
    for (const RunSettings& candidate : candidates_for_step(step, best, options)) {
      RERANKD_ASSIGN_OR_RETURN(ResultPoint point, measure(candidate));
      record.points.push_back(std::move(point));
      measured_settings.push_back(candidate);
      if (step < 2 && stop_after(record.points, options.slo_p50_ms)) break;
    }
    std::string why_none;
    const auto choice = sweet_spot(record.points, options.slo_p50_ms, &why_none);
    if (!choice) {
      return failed_precondition("tune: no " + record.name + " candidate qualified: " + why_none);
    }
    record.chosen = choice->point;
    record.reason = choice->reason;
    best = measured_settings[record.chosen];
    outcome.steps.push_back(std::move(record));
  }
  outcome.config = best.config;
  return outcome;
}

std::string tuned_config_yaml(const TuneOutcome& outcome, const TuneOptions& options,
                              const MachineInfo& machine) {
  std::string text = "# Written by `rerankd tune`: the highest throughput whose p50 meets ";
  char target[64];
  std::snprintf(target, sizeof target, "%.1f ms", options.slo_p50_ms);
  text += std::string(target) + ",\n# measured on " + machine.cpu_model + " (" +
          std::to_string(machine.cpu_cores) + " cores" +
          (machine.gpu.empty() ? "" : ", " + machine.gpu) + "), rerankd " +
          machine.rerankd_version + " " + machine.git_commit + ".\n";
  for (const TuneStep& step : outcome.steps) {
    text += "#\n# " + step.name + ":\n";
    for (std::size_t i = 0; i < step.points.size(); ++i) {
      text +=
          std::string(i == step.chosen ? "#  * " : "#    ") + point_summary(step.points[i]) + "\n";
    }
    text += "#   chosen: " + step.reason + "\n";
  }
  return text + "\n" + config::to_yaml(outcome.config);
}

}  // namespace rerankd::bench
