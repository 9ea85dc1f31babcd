#include "backend/cpu/layer_norm.h"

#include <cmath>

#include "backend/cpu/quantize.h"
#include "backend/target_clones.h"

namespace rerankd::backend::cpu {

// target_clones: x86-64-v4 (AVX-512) and x86-64-v3 (AVX2 + FMA) copies picked at load time where
// the CPU has those features (whatever its vendor), a baseline copy elsewhere (the project is not
// built with -march).
// `omp simd reduction` lets the sums split over SIMD lanes. Two passes (mean, then centred squares)
// as torch does, not E[x^2] - E[x]^2, which loses digits when the mean is large.
RERANKD_TARGET_CLONES("arch=x86-64-v4", "arch=x86-64-v3", "default") void
add_layer_norm_row(float* row, const float* residual, const LayerNormParams& params) {
  const std::int64_t width = params.width;
  float sum = 0.0f;
  if (residual != nullptr) {
#pragma omp simd reduction(+ : sum)
    for (std::int64_t i = 0; i < width; ++i) {
      row[i] += residual[i];
      sum += row[i];
    }
  } else {
#pragma omp simd reduction(+ : sum)
    for (std::int64_t i = 0; i < width; ++i) sum += row[i];
  }
  const float mean = sum / static_cast<float>(width);
  float squares = 0.0f;
#pragma omp simd reduction(+ : squares)
  for (std::int64_t i = 0; i < width; ++i) {
    const float centred = row[i] - mean;
    squares += centred * centred;
  }
  const float inv_std = 1.0f / std::sqrt(squares / static_cast<float>(width) + params.eps);
  const float* gamma = params.gamma;
  const float* beta = params.beta;
#pragma omp simd
  for (std::int64_t i = 0; i < width; ++i) row[i] = (row[i] - mean) * inv_std * gamma[i] + beta[i];
}

void add_layer_norm(float* x, const float* residual, std::int64_t rows,
                    const LayerNormParams& params, const QuantizedRows* quantized) {
  const std::int64_t width = params.width;
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < rows; ++r) {
    float* row = x + r * width;
    add_layer_norm_row(row, residual == nullptr ? nullptr : residual + r * width, params);
    if (quantized != nullptr) {
      quantize_row(row, width, quantized->levels + r * width, quantized->scales + r,
                   quantized->zero_points + r);
    }
  }
}

}  // namespace rerankd::backend::cpu
