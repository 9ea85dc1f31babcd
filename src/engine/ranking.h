// Ordering scored documents: best first, ties in input order, cut to top_n.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace rerankd::engine {

struct RankedIndex {
  std::size_t index = 0;  // position in the caller's document list
  float score = 0.0f;
};

// Stable, so equal scores keep input order and the same request gets the same answer.
// top_n 0 keeps all.
std::vector<RankedIndex> rank_by_score(std::span<const float> scores, std::size_t top_n);

}  // namespace rerankd::engine
