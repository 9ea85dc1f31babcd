// The reduced-precision helpers of the cpu matmul that oneDNN 2.6 cannot do for us: symmetric
// int8 quantisation per row (activations, per token, at run time) and per output channel
// (weights, at load), the int8 GEMM's epilogue (row scale, bias, activation in fp32), and the
// fp32 -> bf16 conversion of activations. No oneDNN here: simd.h vectors, one copy of each
// row kernel per ISA level, picked at run time.
#pragma once

#include <cstdint>
#include <span>

#include "backend/cpu/matmul.h"

namespace rerankd::backend::cpu {

// Activations are u8 with a zero point per row: x ~ scale * (q - zero_point), over [min, max]
// of the row (widened to hold 0), so all 256 levels cover the values the row has (a GELU output
// is almost all >= 0: symmetric s8 would waste half its levels). oneDNN 2.6 takes zero points
// only per tensor, so the GEMM runs on the raw u8 values and dequantize_rows subtracts
// zero_point * (column sum of the int8 weights). Measured on the conformance model's fixture
// (simulated in PyTorch): max logit error 0.25 with this, 0.33 with symmetric s8 rows.
inline constexpr int kActivationLevels = 255;

// Rows of u8 levels as quantize_rows writes them: levels [rows, cols], one scale and zero point
// per row. Passed between the int8 kernels so a row is quantised once, by whoever wrote it last
// (a LayerNorm, or the previous GEMM's epilogue), not by a separate pass over memory.
struct QuantizedRows {
  std::uint8_t* levels = nullptr;
  float* scales = nullptr;
  float* zero_points = nullptr;

  // The same buffers from row `first` on.
  QuantizedRows from_row(std::int64_t first, std::int64_t cols) const {
    return {levels + first * cols, scales + first, zero_points + first};
  }
};

// Quantises each row of x [rows, cols] to q with its own scale and zero point (as floats; the
// zero point is a whole number in [0, 255]). An all-zero row gets scale 0, zero point 0, q 0.
// Uses the calling thread's OpenMP team size.
void quantize_rows(const float* x, std::int64_t rows, std::int64_t cols, std::uint8_t* q,
                   float* scales, float* zero_points);

// One row of quantize_rows, on the calling thread only (for kernels that already run per row
// inside their own OpenMP loop).
void quantize_row(const float* x, std::int64_t cols, std::uint8_t* q, float* scale,
                  float* zero_point);

// weight [out, in] row-major (PyTorch's layout) to q [out, in], symmetric, with one scale per
// output row (output channel): q = round(w / scale), scale = max|row| / levels.
void quantize_channels(std::span<const float> weight, std::int64_t out, std::int64_t in, int levels,
                       std::int8_t* q, float* scales);

// y [rows, cols] holds s32 sums of u8 x s8 products already times the column scales (oneDNN's
// output scales); column_sums[n] is scale_n * sum_k q_w[n, k]. Makes each
// y = act(row_scale * (y - zero_point * column_sums[n]) + bias[n]). With `requantized`, each
// finished row is instead quantised into it (as quantize_rows would quantise those values) and
// y is left as it was: only the levels are the result.
void dequantize_rows(float* y, std::int64_t rows, std::int64_t cols, const float* row_scales,
                     const float* zero_points, const float* column_sums, const float* bias,
                     Epilogue epilogue, const QuantizedRows* requantized = nullptr);

// Round-to-nearest-even fp32 -> bf16 (the upper 16 bits), as oneDNN's own reorder does; NaN stays
// NaN.
void to_bf16(const float* x, std::int64_t count, std::uint16_t* out);

}  // namespace rerankd::backend::cpu
