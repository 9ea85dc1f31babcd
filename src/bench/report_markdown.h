// The per-experiment markdown report, in the study's shape (experiment-summary.md): one table
// with the swept parameters, Throughput (p/s), Latency (ms) (p50), then p95, p99, errors and
// achieved batch size; the sweet spot in bold with a star; not-built and failed points as rows
// that say so. Plus the machine facts and links to the plots.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bench/results.h"

namespace rerankd::bench {

// `plot_files`: file names (relative to the report) of the PNGs to link under the table.
std::string render_report(const ExperimentResult& result,
                          const std::vector<std::string>& plot_files);

// Shared with summary.md and the plots so that all three name things alike.
// The column name of a params key: "Batch" for batching.max_batch_size, "Conc" for
// server.max_concurrency...; the key itself when it has no short name.
std::string param_display_name(std::string_view key);
// A number as the tables print it: one decimal ("719.2"), two below 10 ("3.25").
std::string format_value(double value);
// "Batch=64, Conc=2" for a point's params; "-" when it has none.
std::string format_params(const ResultPoint& point);

}  // namespace rerankd::bench
