// LayerNorm fused with the residual add before it (BertSelfOutput / BertOutput), one pass over
// each row while it sits in L1.
#pragma once

#include <cstdint>

namespace rerankd::backend::cpu {

struct QuantizedRows;  // quantize.h

struct LayerNormParams {
  const float* gamma = nullptr;  // [width]
  const float* beta = nullptr;   // [width]
  std::int64_t width = 0;
  float eps = 1e-12f;
};

// row <- LayerNorm(row + residual) (torch.nn.LayerNorm: biased variance); residual may be null.
void add_layer_norm_row(float* row, const float* residual, const LayerNormParams& params);

// add_layer_norm_row over `rows` rows of x (and of residual, when not null), [rows, width]
// row-major, split over the calling thread's OpenMP threads. With `quantized`, each normalised
// row is also quantised into it while in L1 (for an int8 GEMM's run_quantized).
void add_layer_norm(float* x, const float* residual, std::int64_t rows,
                    const LayerNormParams& params, const QuantizedRows* quantized = nullptr);

}  // namespace rerankd::backend::cpu
