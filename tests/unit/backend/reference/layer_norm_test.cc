#include "backend/reference/layer_norm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "reference/tiny_bert.h"

namespace rerankd::backend::reference {
namespace {

TEST(LayerNorm, HandComputedRow) {
  testing::TensorStore store;
  const model::LayerNormWeights weights{store.make({4}, {1, 1, 2, 2}),
                                        store.make({4}, {0, 0, 1, 1})};
  // mean 2.5, biased variance 1.25.
  std::vector<float> x = {1, 2, 3, 4};
  layer_norm(x, 1, weights, 0.0f);
  const float inv_std = 1.0f / std::sqrt(1.25f);
  EXPECT_NEAR(x[0], -1.5f * inv_std, 1e-6);
  EXPECT_NEAR(x[1], -0.5f * inv_std, 1e-6);
  EXPECT_NEAR(x[2], 2.0f * 0.5f * inv_std + 1.0f, 1e-6);
  EXPECT_NEAR(x[3], 2.0f * 1.5f * inv_std + 1.0f, 1e-6);
}

TEST(LayerNorm, EachRowOnItsOwnAndEpsilonCounts) {
  testing::TensorStore store;
  const model::LayerNormWeights weights{store.make({2}, {1, 1}), store.make({2}, {0, 0})};
  // Row 1 is constant: variance 0, so the output is 0 and eps keeps it finite.
  std::vector<float> x = {0, 2, 5, 5};
  layer_norm(x, 2, weights, 1e-12f);
  EXPECT_NEAR(x[0], -1.0f, 1e-6);
  EXPECT_NEAR(x[1], 1.0f, 1e-6);
  EXPECT_EQ(x[2], 0.0f);
  EXPECT_EQ(x[3], 0.0f);

  // With variance 1 and eps 3, the scale is 1 / sqrt(4).
  std::vector<float> y = {-1, 1};
  layer_norm(y, 1, weights, 3.0f);
  EXPECT_NEAR(y[0], -0.5f, 1e-6);
  EXPECT_NEAR(y[1], 0.5f, 1e-6);
}

TEST(LayerNorm, AddInPlace) {
  std::vector<float> x = {1, 2};
  const std::vector<float> residual = {0.5f, -4.0f};
  add_in_place(x, residual);
  EXPECT_EQ(x, (std::vector<float>{1.5f, -2.0f}));
}

}  // namespace
}  // namespace rerankd::backend::reference
