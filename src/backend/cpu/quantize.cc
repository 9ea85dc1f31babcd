#include "backend/cpu/quantize.h"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>

#include "backend/cpu/vector_math.h"

namespace rerankd::backend::cpu {
namespace {

// Rounds |v| < 2^22 to the nearest integer (ties to even) in a form GCC vectorizes, unlike
// std::nearbyint / std::lrint.
[[gnu::always_inline]] inline float round_nearest(float v) {
  constexpr float kRoundMagic = 12582912.0f;  // 1.5 * 2^23
  return (v + kRoundMagic) - kRoundMagic;
}

// erf by Abramowitz & Stegun 7.1.26 (absolute error <= 1.5e-7), odd-extended to negative z.
[[gnu::always_inline]] inline float erf_approx(float z) {
  constexpr float kP = 0.3275911f;
  constexpr float kA1 = 0.254829592f, kA2 = -0.284496736f, kA3 = 1.421413741f, kA4 = -1.453152027f,
                  kA5 = 1.061405429f;
  const float a = std::abs(z);
  const float t = 1.0f / (1.0f + kP * a);
  const float poly = t * (kA1 + t * (kA2 + t * (kA3 + t * (kA4 + t * kA5))));
  const float r = 1.0f - poly * exp_non_positive(-a * a);
  return std::copysign(r, z);
}

// tanh(u) = sign(u) (1 - e^-2|u|) / (1 + e^-2|u|): only e^x of x <= 0, which never overflows.
[[gnu::always_inline]] inline float tanh_approx(float u) {
  const float a = std::abs(u);
  const float e = exp_non_positive(-2.0f * a);
  const float r = (1.0f - e) / (1.0f + e);
  return std::copysign(r, u);
}

// Same formulas as the fp32 path's oneDNN post-ops (and the reference backend's activations).
[[gnu::always_inline]] inline float gelu_erf(float v) {
  return 0.5f * v * (1.0f + erf_approx(v * 0.70710678118654752f));
}

[[gnu::always_inline]] inline float gelu_tanh(float v) {
  constexpr float kSqrt2OverPi = 0.79788456080286536f;
  return 0.5f * v * (1.0f + tanh_approx(kSqrt2OverPi * (v + 0.044715f * v * v * v)));
}

// target_clones as in attention.cc: an x86-64-v3 (AVX2 + FMA) copy chosen at load time.
__attribute__((target_clones("arch=x86-64-v3", "default"))) void quantize_row_asymmetric(
    const float* x, std::int64_t cols, std::uint8_t* q, float* scale, float* zero_point) {
  float lo = 0.0f;  // the range always holds 0, so 0 is exact (zero padding, ReLU zeros)
  float hi = 0.0f;
  // omp simd: GCC does not vectorize a float min/max reduction on its own (NaN, signed zeros).
#pragma omp simd reduction(min : lo) reduction(max : hi)
  for (std::int64_t j = 0; j < cols; ++j) {
    lo = std::min(lo, x[j]);
    hi = std::max(hi, x[j]);
  }
  const float step = (hi - lo) / static_cast<float>(kActivationLevels);
  const float inverse = step > 0.0f ? 1.0f / step : 0.0f;
  const float zero = round_nearest(-lo * inverse);
  constexpr auto kTop = static_cast<float>(kActivationLevels);
  for (std::int64_t j = 0; j < cols; ++j) {
    float v = round_nearest(x[j] * inverse) + zero;
    v = v > kTop ? kTop : (v < 0.0f ? 0.0f : v);
    q[j] = static_cast<std::uint8_t>(static_cast<std::int32_t>(v));
  }
  *scale = step;
  *zero_point = zero;
}

__attribute__((target_clones("arch=x86-64-v3", "default"))) float quantize_row(const float* x,
                                                                               std::int64_t cols,
                                                                               int levels,
                                                                               std::int8_t* q) {
  float max_abs = 0.0f;
#pragma omp simd reduction(max : max_abs)
  for (std::int64_t j = 0; j < cols; ++j) {
    const float a = x[j] < 0.0f ? -x[j] : x[j];
    max_abs = a > max_abs ? a : max_abs;
  }
  const auto top = static_cast<float>(levels);
  const float inverse = max_abs > 0.0f ? top / max_abs : 0.0f;
  for (std::int64_t j = 0; j < cols; ++j) {
    float v = round_nearest(x[j] * inverse);
    v = v > top ? top : (v < -top ? -top : v);
    q[j] = static_cast<std::int8_t>(static_cast<std::int32_t>(v));
  }
  return max_abs / top;
}

// One loop per epilogue, so each vectorizes without a branch inside (omp simd: GCC sees the
// selects of erf / tanh as control flow and would not vectorize them on its own).
__attribute__((target_clones("arch=x86-64-v3", "default"))) void dequantize_row(
    float* y, std::int64_t cols, float row_scale, float zero_point, const float* column_sums,
    const float* bias, Epilogue epilogue) {
  switch (epilogue) {
    case Epilogue::kNone:
      for (std::int64_t j = 0; j < cols; ++j)
        y[j] = row_scale * (y[j] - zero_point * column_sums[j]) + bias[j];
      break;
    case Epilogue::kGeluErf:
#pragma omp simd
      for (std::int64_t j = 0; j < cols; ++j) {
        y[j] = gelu_erf(row_scale * (y[j] - zero_point * column_sums[j]) + bias[j]);
      }
      break;
    case Epilogue::kGeluTanh:
#pragma omp simd
      for (std::int64_t j = 0; j < cols; ++j) {
        y[j] = gelu_tanh(row_scale * (y[j] - zero_point * column_sums[j]) + bias[j]);
      }
      break;
    case Epilogue::kRelu:
#pragma omp simd
      for (std::int64_t j = 0; j < cols; ++j) {
        y[j] = std::max(row_scale * (y[j] - zero_point * column_sums[j]) + bias[j], 0.0f);
      }
      break;
    case Epilogue::kTanh:
#pragma omp simd
      for (std::int64_t j = 0; j < cols; ++j) {
        y[j] = tanh_approx(row_scale * (y[j] - zero_point * column_sums[j]) + bias[j]);
      }
      break;
  }
}

__attribute__((target_clones("arch=x86-64-v3", "default"))) void to_bf16_block(const float* x,
                                                                               std::int64_t count,
                                                                               std::uint16_t* out) {
  for (std::int64_t i = 0; i < count; ++i) {
    const auto bits = std::bit_cast<std::uint32_t>(x[i]);
    const bool nan = (bits & 0x7fffffffu) > 0x7f800000u;
    const std::uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    out[i] = static_cast<std::uint16_t>(nan ? ((bits >> 16) | 0x40u) : rounded);
  }
}

}  // namespace

void quantize_rows(const float* x, std::int64_t rows, std::int64_t cols, std::uint8_t* q,
                   float* scales, float* zero_points) {
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < rows; ++i) {
    quantize_row_asymmetric(x + i * cols, cols, q + i * cols, scales + i, zero_points + i);
  }
}

void quantize_channels(std::span<const float> weight, std::int64_t out, std::int64_t in, int levels,
                       std::int8_t* q, float* scales) {
  for (std::int64_t i = 0; i < out; ++i) {
    scales[i] = quantize_row(weight.data() + i * in, in, levels, q + i * in);
  }
}

void dequantize_rows(float* y, std::int64_t rows, std::int64_t cols, const float* row_scales,
                     const float* zero_points, const float* column_sums, const float* bias,
                     Epilogue epilogue) {
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < rows; ++i) {
    dequantize_row(y + i * cols, cols, row_scales[i], zero_points[i], column_sums, bias, epilogue);
  }
}

void to_bf16(const float* x, std::int64_t count, std::uint16_t* out) {
  constexpr std::int64_t kBlock = 16384;  // per-thread chunks of 64 KB of input
  const std::int64_t blocks = (count + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < blocks; ++b) {
    const std::int64_t first = b * kBlock;
    const std::int64_t n = count - first < kBlock ? count - first : kBlock;
    to_bf16_block(x + first, n, out + first);
  }
}

}  // namespace rerankd::backend::cpu
