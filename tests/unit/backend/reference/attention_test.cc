#include "backend/reference/attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "backend/reference/softmax.h"

namespace rerankd::backend::reference {
namespace {

TEST(Softmax, HandComputed) {
  std::vector<float> row = {0.0f, std::log(3.0f)};
  softmax_in_place(row);
  EXPECT_NEAR(row[0], 0.25f, 1e-7);
  EXPECT_NEAR(row[1], 0.75f, 1e-7);
}

TEST(Softmax, LargeValuesDoNotOverflow) {
  std::vector<float> row = {1000.0f, 1000.0f, -1000.0f};
  softmax_in_place(row);
  EXPECT_FLOAT_EQ(row[0], 0.5f);
  EXPECT_FLOAT_EQ(row[1], 0.5f);
  EXPECT_EQ(row[2], 0.0f);
}

// Two tokens, one head of size 2: q = k = identity rows, so token i's scores are
// [q_i . k_0, q_i . k_1] / sqrt(2) = e_i / sqrt(2).
TEST(Attention, TwoTokensOneHeadByHand) {
  const std::vector<float> q = {1, 0, 0, 1};
  const std::vector<float> k = {1, 0, 0, 1};
  const std::vector<float> v = {1, 2, 3, 4};
  std::vector<float> scores(2);
  std::vector<float> context(4);
  self_attention(q, k, v, {.length = 2, .num_heads = 1, .head_size = 2}, scores, context);

  // Token 0 weighs v_0 by p = e^(1/sqrt 2) / (e^(1/sqrt 2) + 1); token 1 weighs v_1 by p.
  const double e = std::exp(1.0 / std::sqrt(2.0));
  const double p = e / (e + 1.0);
  EXPECT_NEAR(context[0], p * 1 + (1 - p) * 3, 1e-6);
  EXPECT_NEAR(context[1], p * 2 + (1 - p) * 4, 1e-6);
  EXPECT_NEAR(context[2], (1 - p) * 1 + p * 3, 1e-6);
  EXPECT_NEAR(context[3], (1 - p) * 2 + p * 4, 1e-6);
}

// Two heads of size 1 over two tokens: each head reads and writes only its own column.
TEST(Attention, HeadsUseTheirOwnColumns) {
  // Head 0: q = [0, 0] -> uniform weights. Head 1: q = k = [2, -2] per token -> scores
  // token 0: [4, -4], token 1: [-4, 4] (head size 1, scale 1).
  const std::vector<float> q = {0, 2, 0, -2};
  const std::vector<float> k = {5, 2, 7, -2};
  const std::vector<float> v = {10, 1, 20, 3};
  std::vector<float> scores(2);
  std::vector<float> context(4);
  self_attention(q, k, v, {.length = 2, .num_heads = 2, .head_size = 1}, scores, context);

  EXPECT_NEAR(context[0], 15.0f, 1e-5);  // head 0, token 0: mean of 10 and 20
  EXPECT_NEAR(context[2], 15.0f, 1e-5);  // head 0, token 1
  const double p = 1.0 / (1.0 + std::exp(-8.0));
  EXPECT_NEAR(context[1], p * 1 + (1 - p) * 3, 1e-6);  // head 1, token 0 favours v_0
  EXPECT_NEAR(context[3], (1 - p) * 1 + p * 3, 1e-6);  // head 1, token 1 favours v_1
}

TEST(Attention, SingleTokenCopiesItsValue) {
  const std::vector<float> q = {3, -1};
  const std::vector<float> k = {-2, 4};
  const std::vector<float> v = {0.25f, -7.0f};
  std::vector<float> scores(1);
  std::vector<float> context(2);
  self_attention(q, k, v, {.length = 1, .num_heads = 2, .head_size = 1}, scores, context);
  EXPECT_EQ(context, v);
}

}  // namespace
}  // namespace rerankd::backend::reference
