#include "engine/score_activation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace rerankd::engine {
namespace {

TEST(ScoreActivation, SigmoidMapsLogitsToProbabilities) {
  std::vector<float> values{0.0f, 2.0f, -2.0f};
  apply_score_activation(model::ScoreActivation::kSigmoid, values);
  EXPECT_FLOAT_EQ(values[0], 0.5f);
  EXPECT_NEAR(values[1], 1.0 / (1.0 + std::exp(-2.0)), 1e-7);
  EXPECT_NEAR(values[1] + values[2], 1.0f, 1e-6);
}

TEST(ScoreActivation, IdentityKeepsLogits) {
  std::vector<float> values{-3.5f, 7.25f};
  apply_score_activation(model::ScoreActivation::kIdentity, values);
  EXPECT_EQ(values, (std::vector<float>{-3.5f, 7.25f}));
}

}  // namespace
}  // namespace rerankd::engine
