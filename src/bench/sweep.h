// A sweep's grid: every combination of the axes' values (first axis outermost), each point
// the settings it runs with and the params it reports.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bench/experiment.h"
#include "common/result.h"

namespace rerankd::bench {

struct GridPoint {
  std::vector<std::pair<std::string, std::string>> params;  // the swept keys, in sweep order
  RunSettings settings;                                     // base + params + links, validated
};

// One point with no params when the sweep is empty. InvalidArgument naming the point's params
// when a combination does not validate (e.g. max_batch_tokens below max_length).
Result<std::vector<GridPoint>> expand_grid(const Experiment& experiment);

}  // namespace rerankd::bench
