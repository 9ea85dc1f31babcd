// summary.md across the experiments of one `rerankd bench` run: per experiment its sweet spot
// (recommend.h), its best throughput and what was not built; where peers ran, each system's
// best throughput at each x value with rerankd's ratio to each peer. Every number comes from
// the results; nothing is hand-written.
#pragma once

#include <string>
#include <vector>

#include "bench/results.h"

namespace rerankd::bench {

// `report_files[i]`: the per-experiment report file name for results[i], linked from the
// summary.
std::string render_summary(const std::vector<ExperimentResult>& results,
                           const std::vector<std::string>& report_files);

}  // namespace rerankd::bench
