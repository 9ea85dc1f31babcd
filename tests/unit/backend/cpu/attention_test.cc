#include "backend/cpu/attention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "backend/reference/attention.h"
#include "cpu/random_data.h"

namespace rerankd::backend::cpu {
namespace {

using testing::max_abs_diff;
using testing::random_values;

struct Layout {
  std::int64_t num_heads;
  std::int64_t head_size;
};

// Packs pairs of the given lengths into one qkv buffer, runs packed_attention, and compares
// every pair's context with the reference attention run on that pair alone.
void expect_matches_reference(const std::vector<std::int32_t>& lengths, const Layout& layout,
                              int threads, float scale, double tolerance) {
  const std::int64_t hidden = layout.num_heads * layout.head_size;
  std::vector<std::int32_t> cu_seqlens{0};
  for (const auto length : lengths) cu_seqlens.push_back(cu_seqlens.back() + length);
  const std::int64_t tokens = cu_seqlens.back();
  const auto qkv = random_values(static_cast<std::size_t>(tokens * 3 * hidden), scale, 7);

  const PackedAttentionShape shape{.num_heads = layout.num_heads,
                                   .head_size = layout.head_size,
                                   .max_length = *std::max_element(lengths.begin(), lengths.end())};
  std::vector<float> scratch(attention_scratch_floats(shape) * static_cast<std::size_t>(threads));
  std::vector<float> context(static_cast<std::size_t>(tokens * hidden), -9.0f);
  packed_attention(qkv.data(), cu_seqlens, shape, context.data(), scratch, threads);

  for (std::size_t pair = 0; pair < lengths.size(); ++pair) {
    const std::int64_t length = lengths[pair];
    const std::int64_t begin = cu_seqlens[pair];
    std::vector<float> q, k, v;
    for (std::int64_t t = begin; t < begin + length; ++t) {
      const float* row = qkv.data() + t * 3 * hidden;
      q.insert(q.end(), row, row + hidden);
      k.insert(k.end(), row + hidden, row + 2 * hidden);
      v.insert(v.end(), row + 2 * hidden, row + 3 * hidden);
    }
    std::vector<float> scores(static_cast<std::size_t>(length));
    std::vector<float> expected(static_cast<std::size_t>(length * hidden));
    reference::self_attention(
        q, k, v, {.length = length, .num_heads = layout.num_heads, .head_size = layout.head_size},
        scores, expected);
    const std::vector<float> got(context.begin() + begin * hidden,
                                 context.begin() + (begin + length) * hidden);
    EXPECT_LE(max_abs_diff(got, expected), tolerance)
        << "pair " << pair << " (length " << length << ", " << layout.num_heads << " heads of "
        << layout.head_size << ", " << threads << " threads)";
  }
}

TEST(PackedAttention, PairsOfDifferentLengthsMatchReferencePerPair) {
  // Lengths around the score tile (8 rows) and a single-token pair.
  const std::vector<std::int32_t> lengths = {1, 5, 17, 64, 3, 8, 9};
  expect_matches_reference(lengths, {.num_heads = 2, .head_size = 4}, 1, 1.0f, 2e-6);
  expect_matches_reference(lengths, {.num_heads = 2, .head_size = 4}, 2, 1.0f, 2e-6);
  expect_matches_reference(lengths, {.num_heads = 12, .head_size = 32}, 2, 1.0f, 2e-6);
}

TEST(PackedAttention, EveryKernelMatchesReference) {
  // The kernel depends on the head size (and the CPU): 64 and 32 take the widest tiles, 48 and 16
  // one output vector at a time on AVX-512, 8 and 4 the narrower tiles, 6 the scalar kernel.
  // Lengths straddle the 32-key padding of the score rows.
  const std::vector<std::int32_t> lengths = {31, 32, 33, 1, 65, 7};
  for (const std::int64_t head_size : {64, 48, 32, 16, 8, 4, 6}) {
    expect_matches_reference(lengths, {.num_heads = 2, .head_size = head_size}, 2, 1.0f, 4e-6);
  }
}

TEST(PackedAttention, ClsOnlyGivesEachPairsFirstRowCompactly) {
  const std::vector<std::int32_t> lengths = {31, 1, 65, 7};
  for (const std::int64_t head_size : {32, 16, 4, 6}) {  // the tiled kernels and the scalar one
    const std::int64_t heads = 2;
    const std::int64_t hidden = heads * head_size;
    std::vector<std::int32_t> cu_seqlens{0};
    for (const auto length : lengths) cu_seqlens.push_back(cu_seqlens.back() + length);
    const std::int64_t tokens = cu_seqlens.back();
    const auto qkv = random_values(static_cast<std::size_t>(tokens * 3 * hidden), 1.0f, 9);
    PackedAttentionShape shape{.num_heads = heads, .head_size = head_size, .max_length = 65};
    std::vector<float> scratch(attention_scratch_floats(shape) * 2);
    std::vector<float> full(static_cast<std::size_t>(tokens * hidden));
    packed_attention(qkv.data(), cu_seqlens, shape, full.data(), scratch, 2);
    shape.cls_only = true;
    std::vector<float> cls(lengths.size() * static_cast<std::size_t>(hidden), -9.0f);
    packed_attention(qkv.data(), cu_seqlens, shape, cls.data(), scratch, 2);
    for (std::size_t pair = 0; pair < lengths.size(); ++pair) {
      const auto first = full.begin() + cu_seqlens[pair] * hidden;
      EXPECT_EQ(std::vector<float>(first, first + hidden),
                std::vector<float>(cls.begin() + static_cast<std::int64_t>(pair) * hidden,
                                   cls.begin() + static_cast<std::int64_t>(pair + 1) * hidden))
          << "pair " << pair << ", head size " << head_size;
    }
  }
}

TEST(PackedAttention, LongPairAndPeakedScores) {
  // Large q/k values make softmax rows nearly one-hot: exercises exp far below 0. Scores reach
  // ~60 there, where one float rounding of a score (~4e-6) already shifts the weights by that
  // much relative, whichever order the dot products are summed in.
  expect_matches_reference({300, 2}, {.num_heads = 3, .head_size = 16}, 2, 4.0f, 2e-5);
}

}  // namespace
}  // namespace rerankd::backend::cpu
