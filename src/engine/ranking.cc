#include "engine/ranking.h"

#include <algorithm>

namespace rerankd::engine {

std::vector<RankedIndex> rank_by_score(std::span<const float> scores, std::size_t top_n) {
  std::vector<RankedIndex> ranked(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) ranked[i] = {i, scores[i]};
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const RankedIndex& a, const RankedIndex& b) { return a.score > b.score; });
  if (top_n > 0 && top_n < ranked.size()) ranked.resize(top_n);
  return ranked;
}

}  // namespace rerankd::engine
