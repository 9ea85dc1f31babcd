#include "text/truncation.h"

#include <algorithm>
#include <string>
#include <utility>

namespace rerankd::text {

Result<PairLengths> truncate_pair(std::size_t first, std::size_t second, std::size_t budget,
                                  Truncation strategy) {
  const std::size_t total = first + second;
  if (total <= budget) return PairLengths{first, second};
  switch (strategy) {
    case Truncation::kNone:
      return out_of_range("pair has " + std::to_string(total) + " tokens (query " +
                          std::to_string(first) + ", document " + std::to_string(second) +
                          ") but only " + std::to_string(budget) +
                          " fit beside the special tokens; truncation is off");
    case Truncation::kOnlySecond: {
      const std::size_t to_remove = total - budget;
      // HF requires strictly more document tokens than it removes (so the document keeps at
      // least one), else it fails rather than emptying it.
      if (second <= to_remove) {
        return out_of_range("only_second truncation cannot fit the pair: the query has " +
                            std::to_string(first) + " tokens, the budget is " +
                            std::to_string(budget) + " and the document has only " +
                            std::to_string(second));
      }
      return PairLengths{first, second - to_remove};
    }
    case Truncation::kLongestFirst:
      break;
  }
  // HF's LongestFirst: with n1 the shorter and n2 the longer side, the longer side keeps
  // max(n1, budget - n1); when that still overflows (both sides longer than half) each gets half
  // the budget and the side that was longer (the document on a tie) gets the odd token.
  std::size_t n1 = first;
  std::size_t n2 = second;
  const bool swapped = n1 > n2;
  if (swapped) std::swap(n1, n2);
  n2 = n1 > budget ? n1 : std::max(n1, budget - n1);
  if (n1 + n2 > budget) {
    n1 = budget / 2;
    n2 = n1 + budget % 2;
  }
  if (swapped) std::swap(n1, n2);
  return PairLengths{std::min(first, n1), std::min(second, n2)};
}

}  // namespace rerankd::text
