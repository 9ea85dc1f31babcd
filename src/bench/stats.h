// From raw request samples to the numbers a report shows.
#pragma once

#include <vector>

#include "bench/load_generator.h"
#include "bench/results.h"

namespace rerankd::bench {

// The q-th percentile (0..100) of `values` by linear interpolation between closest ranks
// (numpy's default "linear" method), so results match a peer script computing them with numpy.
// 0 for an empty vector. `values` need not be sorted.
double percentile(std::vector<double> values, double q);

LatencySummary summarize_latency(const std::vector<double>& latencies_ms);

// The index of the median of `values` (the lower middle one for an even count), so a whole
// measurement can be taken from the window whose throughput is the median. 0 when empty.
std::size_t median_index(const std::vector<double>& values);

// Fills requests, errors, errors_by_type, pairs, duration_s, pairs_per_s, requests_per_s,
// latency_ms (successful requests only) and mean_batch_size of `point` from `run`.
void fill_measurements(const LoadRun& run, ResultPoint& point);

}  // namespace rerankd::bench
