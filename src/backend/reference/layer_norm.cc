#include "backend/reference/layer_norm.h"

#include <cassert>
#include <cmath>

namespace rerankd::backend::reference {

void layer_norm(std::span<float> x, std::int64_t rows, const model::LayerNormWeights& weights,
                float eps) {
  const std::int64_t width = weights.gamma.numel();
  assert(static_cast<std::int64_t>(x.size()) >= rows * width);
  const float* gamma = weights.gamma.data.data();
  const float* beta = weights.beta.data.data();
  for (std::int64_t r = 0; r < rows; ++r) {
    float* row = x.data() + r * width;
    // Sums in double: this is the reference, so it may be more exact than torch, never less.
    double sum = 0.0;
    for (std::int64_t i = 0; i < width; ++i) sum += row[i];
    const double mean = sum / static_cast<double>(width);
    double squares = 0.0;
    for (std::int64_t i = 0; i < width; ++i) {
      const double centred = row[i] - mean;
      squares += centred * centred;
    }
    const double variance = squares / static_cast<double>(width);
    const double inv_std = 1.0 / std::sqrt(variance + static_cast<double>(eps));
    for (std::int64_t i = 0; i < width; ++i) {
      row[i] = static_cast<float>((row[i] - mean) * inv_std) * gamma[i] + beta[i];
    }
  }
}

void add_in_place(std::span<float> x, std::span<const float> residual) {
  assert(x.size() <= residual.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] += residual[i];
}

}  // namespace rerankd::backend::reference
