#include "backend/reference/linear.h"

#include <gtest/gtest.h>

#include <vector>

#include "reference/tiny_bert.h"

namespace rerankd::backend::reference {
namespace {

TEST(Linear, HandComputedTwoByThree) {
  testing::TensorStore store;
  // W = [[1, 2, 3], [-1, 0, 1]], b = [0.5, -2]
  const model::LinearWeights weights{store.make({2, 3}, {1, 2, 3, -1, 0, 1}),
                                     store.make({2}, {0.5f, -2.0f})};
  const std::vector<float> x = {1, 1, 1,    // row 0
                                2, 0, -1};  // row 1
  std::vector<float> y(4, -99.0f);
  linear(x, 2, weights, y);
  EXPECT_FLOAT_EQ(y[0], 6.5f);   // 1 + 2 + 3 + 0.5
  EXPECT_FLOAT_EQ(y[1], -2.0f);  // -1 + 0 + 1 - 2
  EXPECT_FLOAT_EQ(y[2], -0.5f);  // 2 + 0 - 3 + 0.5
  EXPECT_FLOAT_EQ(y[3], -5.0f);  // -2 + 0 - 1 - 2
}

// Sizes that exercise the row blocks, the single-row tail and the lane tail of the kernel.
TEST(Linear, MatchesNaiveLoopOnOddSizes) {
  testing::TensorStore store;
  for (const auto& [rows, in, out] :
       {std::tuple<int, int, int>{7, 19, 5}, {4, 16, 3}, {1, 3, 2}, {13, 384, 7}, {9, 40, 11}}) {
    const model::LinearWeights weights = store.random_linear(out, in);
    const model::Tensor x = store.random({rows, in}, 1.0f);
    std::vector<float> y(static_cast<std::size_t>(rows * out));
    linear(x.data, rows, weights, y);
    for (int r = 0; r < rows; ++r) {
      for (int o = 0; o < out; ++o) {
        double expected = weights.bias.data[o];
        for (int k = 0; k < in; ++k) {
          expected += double{x.data[r * in + k]} * weights.weight.data[o * in + k];
        }
        EXPECT_NEAR(y[r * out + o], expected, 1e-5)
            << "rows " << rows << " in " << in << " row " << r << " output " << o;
      }
    }
  }
}

}  // namespace
}  // namespace rerankd::backend::reference
