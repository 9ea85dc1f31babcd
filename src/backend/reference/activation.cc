#include "backend/reference/activation.h"

#include <cmath>
#include <numbers>

namespace rerankd::backend::reference {

float gelu_erf(float x) {
  return 0.5f * x * (1.0f + std::erf(x * static_cast<float>(std::numbers::sqrt2 / 2.0)));
}

float gelu_tanh(float x) {
  const float sqrt_2_over_pi = static_cast<float>(std::numbers::sqrt2 * std::numbers::inv_sqrtpi);
  return 0.5f * x * (1.0f + std::tanh(sqrt_2_over_pi * (x + 0.044715f * x * x * x)));
}

float relu(float x) { return x > 0.0f ? x : 0.0f; }

void apply_activation(std::span<float> x, model::HiddenAct act) {
  switch (act) {
    case model::HiddenAct::kGeluErf:
      for (float& value : x) value = gelu_erf(value);
      return;
    case model::HiddenAct::kGeluTanh:
      for (float& value : x) value = gelu_tanh(value);
      return;
    case model::HiddenAct::kRelu:
      for (float& value : x) value = relu(value);
      return;
  }
}

}  // namespace rerankd::backend::reference
