#include "backend/cuda/graph_shape.h"

#include <algorithm>
#include <climits>
#include <cstdint>

// Why these buckets. A padding token costs one row in every GEMM and row-wise kernel; a padded
// pair costs only attention blocks that exit at once and a classifier row. Each distinct bucket
// costs one capture (about a millisecond of host time) and one cache slot. So:
// - tokens: multiples of 256 up to 16384 rows, then the step doubles with the count so that
//   padding stays under 1/32 (~3%) of the rows while a workload whose batch sizes vary two-fold
//   touches at most ~32 token buckets (batches of 64 MS MARCO pairs, ~4,800 +- 600 tokens, use
//   about five);
// - pairs: multiples of 16, then 1/8 of the count (padded pairs are nearly free);
// - max_length: multiples of 64, the attention kernel's query rows per block, so the captured
//   grid has exactly the blocks an eager launch for the same batch would have.

namespace rerankd::backend::cuda {
namespace {

std::int64_t round_up(std::int64_t value, std::int64_t step) {
  return (value + step - 1) / step * step;
}

// Rounds `count` up to a multiple of a step that starts at `min_step` and doubles whenever
// `count` reaches 2 * steps_per_doubling steps, keeping the step at most 1/steps_per_doubling
// of the count past the first range.
std::int64_t relative_bucket(std::int64_t count, std::int64_t min_step,
                             std::int64_t steps_per_doubling) {
  std::int64_t step = min_step;
  while (count >= 2 * step * steps_per_doubling) step *= 2;
  return round_up(count, step);
}

}  // namespace

std::optional<ForwardShape> graph_shape_for(const ForwardShape& exact, int max_pairs,
                                            int max_length_cap) {
  if (exact.tokens <= 0 || exact.pairs <= 0 || exact.max_length <= 0) return std::nullopt;
  if (exact.pairs > max_pairs || exact.max_length > max_length_cap) return std::nullopt;
  const std::int64_t tokens =
      relative_bucket(std::int64_t{exact.tokens} + 1, kMinTokenStep, kTokenStepsPerDoubling);
  if (tokens > INT_MAX) return std::nullopt;
  const std::int64_t pairs = std::min<std::int64_t>(
      relative_bucket(exact.pairs, kMinPairStep, kPairStepsPerDoubling), max_pairs);
  const std::int64_t max_length =
      std::min<std::int64_t>(round_up(exact.max_length, kLengthStep), max_length_cap);
  return ForwardShape{.tokens = static_cast<int>(tokens),
                      .pairs = static_cast<int>(pairs),
                      .max_length = static_cast<int>(max_length)};
}

}  // namespace rerankd::backend::cuda
