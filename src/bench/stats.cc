#include "bench/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rerankd::bench {

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  // numpy.percentile(method="linear"): the rank (n - 1) * q / 100, interpolated between the
  // two values around it.
  const double rank = static_cast<double>(values.size() - 1) * std::clamp(q, 0.0, 100.0) / 100.0;
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  const double weight = rank - static_cast<double>(below);
  return values[below] + weight * (values[above] - values[below]);
}

LatencySummary summarize_latency(const std::vector<double>& latencies_ms) {
  LatencySummary summary;
  if (latencies_ms.empty()) return summary;
  summary.mean = std::accumulate(latencies_ms.begin(), latencies_ms.end(), 0.0) /
                 static_cast<double>(latencies_ms.size());
  summary.p50 = percentile(latencies_ms, 50);
  summary.p90 = percentile(latencies_ms, 90);
  summary.p95 = percentile(latencies_ms, 95);
  summary.p99 = percentile(latencies_ms, 99);
  summary.max = *std::max_element(latencies_ms.begin(), latencies_ms.end());
  return summary;
}

void fill_measurements(const LoadRun& run, ResultPoint& point) {
  std::vector<double> latencies;
  std::int64_t successes = 0;
  point.errors = 0;
  point.pairs = 0;
  point.errors_by_type.clear();
  for (const RequestSample& sample : run.samples) {
    if (sample.ok) {
      ++successes;
      point.pairs += static_cast<std::int64_t>(sample.pairs);
      latencies.push_back(sample.latency_ms);
    } else {
      ++point.errors;
      ++point.errors_by_type[sample.error_type.empty() ? "unknown" : sample.error_type];
    }
  }
  point.requests = static_cast<std::int64_t>(run.samples.size());
  point.duration_s = run.duration_s;
  const bool timed = run.duration_s > 0;
  point.pairs_per_s = timed ? static_cast<double>(point.pairs) / run.duration_s : 0;
  point.requests_per_s = timed ? static_cast<double>(successes) / run.duration_s : 0;
  point.latency_ms = summarize_latency(latencies);
  point.mean_batch_size = run.mean_batch_size;
  point.computed_pairs_per_s = run.duration_s > 0 ? run.pairs_computed / run.duration_s : 0;
}

std::size_t median_index(const std::vector<double>& values) {
  if (values.empty()) return 0;
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&values](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  return order[(order.size() - 1) / 2];
}

}  // namespace rerankd::bench
