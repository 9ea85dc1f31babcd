// The shape of one forward pass, and the bucket a batch is padded to so that one captured CUDA
// graph serves every batch of that bucket. No CUDA header: tests and benchmarks can reason about
// buckets without a GPU.
#pragma once

#include <compare>
#include <optional>

namespace rerankd::backend::cuda {

// What a forward pass's launches depend on: row count of every GEMM and row-wise kernel, pair
// count (attention grid, classifier head), and the longest pair (attention grid).
struct ForwardShape {
  int tokens = 0;
  int pairs = 0;
  int max_length = 0;
  auto operator<=>(const ForwardShape&) const = default;
};

// Bucket granularities (see graph_shape.cc for why these).
inline constexpr int kMinTokenStep = 256;
inline constexpr int kTokenStepsPerDoubling = 32;  // padding <= 1/32 of the rows past 8192
inline constexpr int kMinPairStep = 16;
inline constexpr int kPairStepsPerDoubling = 8;
inline constexpr int kLengthStep = 64;  // the attention kernel's query rows per block

// The padded shape `exact` runs as under a graph: at least one more token than the batch has
// (so that a padded, zero-length pair's [CLS] read lands on an allocated row), pairs and
// max_length rounded up; capped so the attention grid stays legal (<= max_pairs pairs,
// <= max_length_cap tokens a pair). nullopt when `exact` is empty or its bucket would not fit an
// int.
std::optional<ForwardShape> graph_shape_for(const ForwardShape& exact, int max_pairs,
                                            int max_length_cap);

}  // namespace rerankd::backend::cuda
