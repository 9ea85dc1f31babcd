#include "bench/recommend.h"

#include <cstdio>
#include <limits>

namespace rerankd::bench {
namespace {

std::string one_decimal(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.1f", value);
  return buffer;
}

// A target as people write it: "200", not "200.0".
std::string compact(double value) {
  if (value == static_cast<double>(static_cast<long long>(value))) {
    return std::to_string(static_cast<long long>(value));
  }
  return one_decimal(value);
}

// Only clean measurements of rerankd count: a point with errors measured a different workload,
// one with no completed request measured nothing,
// and a peer's point is not a configuration rerankd can be given.
bool measured(const ResultPoint& p) {
  return p.system == "rerankd" && p.status == PointStatus::kOk && p.errors == 0 && p.requests > 0;
}

// Higher throughput wins; equal throughput goes to the lower p50.
bool better(const ResultPoint& a, const ResultPoint& b) {
  if (a.pairs_per_s != b.pairs_per_s) return a.pairs_per_s > b.pairs_per_s;
  return a.latency_ms.p50 < b.latency_ms.p50;
}

std::string none_reason(const std::vector<ResultPoint>& points, double target) {
  double fastest_p50 = std::numeric_limits<double>::infinity();
  for (const ResultPoint& p : points) {
    if (measured(p) && p.latency_ms.p50 < fastest_p50) fastest_p50 = p.latency_ms.p50;
  }
  if (fastest_p50 == std::numeric_limits<double>::infinity()) {
    return "no point was measured without errors";
  }
  return "no point met p50 <= " + compact(target) + " ms; the fastest p50 was " +
         one_decimal(fastest_p50) + " ms";
}

}  // namespace

std::optional<Recommendation> sweet_spot(const std::vector<ResultPoint>& points,
                                         double latency_target_p50_ms,
                                         std::string* reason_if_none) {
  const bool has_target = latency_target_p50_ms > 0;
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const ResultPoint& p = points[i];
    if (!measured(p)) continue;
    if (has_target && p.latency_ms.p50 > latency_target_p50_ms) continue;
    if (!best || better(p, points[*best])) best = i;
  }
  if (!best) {
    if (reason_if_none != nullptr) *reason_if_none = none_reason(points, latency_target_p50_ms);
    return std::nullopt;
  }
  const ResultPoint& p = points[*best];
  Recommendation r{*best, "highest throughput (" + one_decimal(p.pairs_per_s) +
                              " pairs/s) with p50 " + one_decimal(p.latency_ms.p50) + " ms"};
  if (has_target) {
    r.reason += " <= " + compact(latency_target_p50_ms) + " ms target";
  } else {
    r.reason += "; no latency target was set";
  }
  return r;
}

}  // namespace rerankd::bench
