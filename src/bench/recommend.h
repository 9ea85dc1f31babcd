// The study's "sweet spot", derived from the data and never hand-written: among rerankd's
// measured points (system "rerankd", status ok, zero errors; peers are compared, never
// recommended), the highest throughput whose p50 latency meets the target;
// with no target, the highest throughput. Ties go to the lower p50.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bench/results.h"

namespace rerankd::bench {

struct Recommendation {
  std::size_t point = 0;  // index into ExperimentResult::points
  std::string reason;     // one sentence with the numbers, e.g. "highest throughput (719.2
                          // pairs/s) with p50 177.8 ms <= 200 ms target"
};

// nullopt when no point qualifies (reason_if_none, when given, says why: "no point met p50 <=
// 200 ms; the fastest p50 was 350.1 ms").
std::optional<Recommendation> sweet_spot(const std::vector<ResultPoint>& points,
                                         double latency_target_p50_ms,
                                         std::string* reason_if_none = nullptr);

}  // namespace rerankd::bench
