#include "backend/reference/activation.h"

#include <gtest/gtest.h>

#include <vector>

namespace rerankd::backend::reference {
namespace {

// Expected values from torch.nn.functional.gelu(x) and gelu(x, approximate="tanh") in float64.
TEST(Activation, GeluErf) {
  EXPECT_EQ(gelu_erf(0.0f), 0.0f);
  EXPECT_NEAR(gelu_erf(1.0f), 0.8413447460685429, 1e-6);
  EXPECT_NEAR(gelu_erf(-1.0f), -0.15865525393145707, 1e-6);
  EXPECT_NEAR(gelu_erf(3.0f), 2.9959502751731006, 1e-6);
  EXPECT_NEAR(gelu_erf(-3.0f), -0.0040497248268994, 1e-6);
}

TEST(Activation, GeluTanhDiffersFromErf) {
  EXPECT_EQ(gelu_tanh(0.0f), 0.0f);
  EXPECT_NEAR(gelu_tanh(1.0f), 0.8411919906082768, 1e-6);
  EXPECT_NEAR(gelu_tanh(-1.0f), -0.15880800939172324, 1e-6);
  // The two forms differ by ~1.5e-4 at 1: a mix-up would be caught at this tolerance.
  EXPECT_GT(gelu_erf(1.0f) - gelu_tanh(1.0f), 1e-4f);
}

TEST(Activation, Relu) {
  EXPECT_EQ(relu(-2.0f), 0.0f);
  EXPECT_EQ(relu(0.0f), 0.0f);
  EXPECT_EQ(relu(1.5f), 1.5f);
}

TEST(Activation, ApplyPicksTheConfiguredForm) {
  std::vector<float> erf_values = {1.0f, -1.0f};
  std::vector<float> tanh_values = erf_values;
  std::vector<float> relu_values = erf_values;
  apply_activation(erf_values, model::HiddenAct::kGeluErf);
  apply_activation(tanh_values, model::HiddenAct::kGeluTanh);
  apply_activation(relu_values, model::HiddenAct::kRelu);
  EXPECT_EQ(erf_values[0], gelu_erf(1.0f));
  EXPECT_EQ(tanh_values[0], gelu_tanh(1.0f));
  EXPECT_EQ(relu_values, (std::vector<float>{1.0f, 0.0f}));
}

}  // namespace
}  // namespace rerankd::backend::reference
