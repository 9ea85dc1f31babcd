#include "backend/cpu/quantize.h"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include "backend/cpu/simd.h"
#include "backend/target_clones.h"

namespace rerankd::backend::cpu {
namespace {

// Rounds |v| < 2^22 to the nearest integer (ties to even) in a form GCC vectorizes, unlike
// std::nearbyint / std::lrint.
[[gnu::always_inline]] inline float round_nearest(float v) {
  constexpr float kRoundMagic = 12582912.0f;  // 1.5 * 2^23
  return (v + kRoundMagic) - kRoundMagic;
}

// A row's last cols % W values go through one W-wide vector padded with zeros, so every
// element takes the same arithmetic.
template <int W>
struct Tail {
  std::int64_t first;  // the first column of the partial vector
  std::int64_t count;  // how many real values it holds (0: none)
};

template <int W>
[[gnu::always_inline]] inline Tail<W> tail_of(std::int64_t cols) {
  return {cols / W * W, cols % W};
}

template <int W>
[[gnu::always_inline]] inline simd::Vec<W> load_partial(const float* p, std::int64_t count) {
  float buffer[W] = {};
  for (std::int64_t i = 0; i < count; ++i) buffer[i] = p[i];
  return simd::load<W>(buffer);
}

template <int W>
[[gnu::always_inline]] inline void store_partial(float* p, simd::Vec<W> v, std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) p[i] = v[i];
}

// u8 levels of x: round(clamp(x / step + zero, 0, 255)); zero is a whole number, so this equals
// clamp(round(x / step) + zero, 0, 255).
template <int W>
[[gnu::always_inline]] inline simd::ByteVec<W> to_levels(simd::Vec<W> x, float inverse,
                                                         float zero) {
  const simd::Vec<W> v = x * inverse + zero;
  return simd::to_bytes<W>(
      simd::min<W>(simd::max<W>(v, simd::Vec<W>{}), simd::splat<W>(kActivationLevels)));
}

template <int W>
[[gnu::always_inline]] inline void quantize_row_asymmetric(const float* x, std::int64_t cols,
                                                           std::uint8_t* q, float* scale,
                                                           float* zero_point) {
  using V = simd::Vec<W>;
  const Tail<W> tail = tail_of<W>(cols);
  V lo{};  // the range always holds 0, so 0 is exact (zero padding, ReLU zeros)
  V hi{};
  for (std::int64_t j = 0; j < tail.first; j += W) {
    const V v = simd::load<W>(x + j);
    lo = simd::min<W>(lo, v);
    hi = simd::max<W>(hi, v);
  }
  if (tail.count > 0) {  // the zero padding cannot move a range that holds 0
    const V v = load_partial<W>(x + tail.first, tail.count);
    lo = simd::min<W>(lo, v);
    hi = simd::max<W>(hi, v);
  }
  const float low = simd::reduce_min<W>(lo);
  const float step = (simd::reduce_max<W>(hi) - low) / static_cast<float>(kActivationLevels);
  const float inverse = step > 0.0f ? 1.0f / step : 0.0f;
  const float zero = round_nearest(-low * inverse);
  for (std::int64_t j = 0; j < tail.first; j += W) {
    const simd::ByteVec<W> levels = to_levels<W>(simd::load<W>(x + j), inverse, zero);
    std::memcpy(q + j, &levels, sizeof(levels));
  }
  if (tail.count > 0) {
    const simd::ByteVec<W> levels =
        to_levels<W>(load_partial<W>(x + tail.first, tail.count), inverse, zero);
    std::memcpy(q + tail.first, &levels, static_cast<std::size_t>(tail.count));
  }
  *scale = step;
  *zero_point = zero;
}

template <int W, Epilogue kEpilogue>
[[gnu::always_inline]] inline simd::Vec<W> activate(simd::Vec<W> v) {
  if constexpr (kEpilogue == Epilogue::kGeluErf) return simd::gelu_erf<W>(v);
  if constexpr (kEpilogue == Epilogue::kGeluTanh) return simd::gelu_tanh<W>(v);
  if constexpr (kEpilogue == Epilogue::kRelu) return simd::max<W>(v, simd::Vec<W>{});
  if constexpr (kEpilogue == Epilogue::kTanh) return simd::tanh<W>(v);
  return v;
}

struct RowDequantization {
  float row_scale;
  float zero_point;
  const float* column_sums;
  const float* bias;
  float* out;  // where the row's results go: the accumulators' own row, or a row buffer
};

// act(row_scale * (acc - zero_point * column_sum) + bias) of W columns. (A helper, not a
// lambda: a lambda would not carry its caller's target ISA.)
template <int W, Epilogue kEpilogue>
[[gnu::always_inline]] inline simd::Vec<W> dequantized(simd::Vec<W> acc, simd::Vec<W> sums,
                                                       simd::Vec<W> bias,
                                                       const RowDequantization& d) {
  return activate<W, kEpilogue>(d.row_scale * (acc - d.zero_point * sums) + bias);
}

template <int W, Epilogue kEpilogue>
[[gnu::always_inline]] inline void dequantize_row_with(const float* y, std::int64_t cols,
                                                       const RowDequantization& d) {
  const Tail<W> tail = tail_of<W>(cols);
  for (std::int64_t j = 0; j < tail.first; j += W) {
    simd::store<W>(d.out + j,
                   dequantized<W, kEpilogue>(simd::load<W>(y + j), simd::load<W>(d.column_sums + j),
                                             simd::load<W>(d.bias + j), d));
  }
  if (tail.count > 0) {
    const std::int64_t j = tail.first;
    const std::int64_t n = tail.count;
    store_partial<W>(
        d.out + j,
        dequantized<W, kEpilogue>(load_partial<W>(y + j, n), load_partial<W>(d.column_sums + j, n),
                                  load_partial<W>(d.bias + j, n), d),
        n);
  }
}

template <int W>
[[gnu::always_inline]] inline void dequantize_row(const float* y, std::int64_t cols,
                                                  const RowDequantization& d, Epilogue epilogue) {
  switch (epilogue) {
    case Epilogue::kNone:
      return dequantize_row_with<W, Epilogue::kNone>(y, cols, d);
    case Epilogue::kGeluErf:
      return dequantize_row_with<W, Epilogue::kGeluErf>(y, cols, d);
    case Epilogue::kGeluTanh:
      return dequantize_row_with<W, Epilogue::kGeluTanh>(y, cols, d);
    case Epilogue::kRelu:
      return dequantize_row_with<W, Epilogue::kRelu>(y, cols, d);
    case Epilogue::kTanh:
      return dequantize_row_with<W, Epilogue::kTanh>(y, cols, d);
  }
}

// One entry point per ISA (simd.h): 16-lane vectors on x86-64-v4, 8 on v3, 4 elsewhere.
using QuantizeRow = void (*)(const float*, std::int64_t, std::uint8_t*, float*, float*);
using DequantizeRow = void (*)(const float*, std::int64_t, const RowDequantization&, Epilogue);

__attribute__((target("arch=x86-64-v4"))) void quantize_row_v4(const float* x, std::int64_t cols,
                                                               std::uint8_t* q, float* scale,
                                                               float* zero_point) {
  quantize_row_asymmetric<16>(x, cols, q, scale, zero_point);
}
__attribute__((target("arch=x86-64-v3"))) void quantize_row_v3(const float* x, std::int64_t cols,
                                                               std::uint8_t* q, float* scale,
                                                               float* zero_point) {
  quantize_row_asymmetric<8>(x, cols, q, scale, zero_point);
}
void quantize_row_baseline(const float* x, std::int64_t cols, std::uint8_t* q, float* scale,
                           float* zero_point) {
  quantize_row_asymmetric<4>(x, cols, q, scale, zero_point);
}

__attribute__((target("arch=x86-64-v4"))) void dequantize_row_v4(const float* y, std::int64_t cols,
                                                                 const RowDequantization& d,
                                                                 Epilogue epilogue) {
  dequantize_row<16>(y, cols, d, epilogue);
}
__attribute__((target("arch=x86-64-v3"))) void dequantize_row_v3(const float* y, std::int64_t cols,
                                                                 const RowDequantization& d,
                                                                 Epilogue epilogue) {
  dequantize_row<8>(y, cols, d, epilogue);
}
void dequantize_row_baseline(const float* y, std::int64_t cols, const RowDequantization& d,
                             Epilogue epilogue) {
  dequantize_row<4>(y, cols, d, epilogue);
}

QuantizeRow quantize_row_kernel() {
  switch (simd::isa_level()) {
    case simd::IsaLevel::kX86_64_V4:
      return quantize_row_v4;
    case simd::IsaLevel::kX86_64_V3:
      return quantize_row_v3;
    case simd::IsaLevel::kBaseline:
      break;
  }
  return quantize_row_baseline;
}

DequantizeRow dequantize_row_kernel() {
  switch (simd::isa_level()) {
    case simd::IsaLevel::kX86_64_V4:
      return dequantize_row_v4;
    case simd::IsaLevel::kX86_64_V3:
      return dequantize_row_v3;
    case simd::IsaLevel::kBaseline:
      break;
  }
  return dequantize_row_baseline;
}

RERANKD_TARGET_CLONES("arch=x86-64-v4", "arch=x86-64-v3", "default") float
quantize_weight_row(const float* x, std::int64_t cols, int levels, std::int8_t* q) {
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

RERANKD_TARGET_CLONES("arch=x86-64-v4", "arch=x86-64-v3", "default") void to_bf16_block(
    const float* x, std::int64_t count, std::uint16_t* out) {
  for (std::int64_t i = 0; i < count; ++i) {
    const auto bits = std::bit_cast<std::uint32_t>(x[i]);
    const bool nan = (bits & 0x7fffffffu) > 0x7f800000u;
    const std::uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    out[i] = static_cast<std::uint16_t>(nan ? ((bits >> 16) | 0x40u) : rounded);
  }
}

}  // namespace

void quantize_row(const float* x, std::int64_t cols, std::uint8_t* q, float* scale,
                  float* zero_point) {
  static const QuantizeRow kQuantizeRow = quantize_row_kernel();
  kQuantizeRow(x, cols, q, scale, zero_point);
}

void quantize_rows(const float* x, std::int64_t rows, std::int64_t cols, std::uint8_t* q,
                   float* scales, float* zero_points) {
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < rows; ++i) {
    quantize_row(x + i * cols, cols, q + i * cols, scales + i, zero_points + i);
  }
}

void quantize_channels(std::span<const float> weight, std::int64_t out, std::int64_t in, int levels,
                       std::int8_t* q, float* scales) {
  for (std::int64_t i = 0; i < out; ++i) {
    scales[i] = quantize_weight_row(weight.data() + i * in, in, levels, q + i * in);
  }
}

void dequantize_rows(float* y, std::int64_t rows, std::int64_t cols, const float* row_scales,
                     const float* zero_points, const float* column_sums, const float* bias,
                     Epilogue epilogue, const QuantizedRows* requantized) {
  static const DequantizeRow kDequantizeRow = dequantize_row_kernel();
#pragma omp parallel
  {
    // Requantising, the results only pass through a row buffer in L1: writing them back to y
    // as well cost as much memory traffic as the rest of the epilogue (a 1536-wide
    // intermediate is the largest tensor of a layer). Grown once per thread and width.
    thread_local std::vector<float> row_buffer;
    if (requantized != nullptr && row_buffer.size() < static_cast<std::size_t>(cols)) {
      row_buffer.resize(static_cast<std::size_t>(cols));
    }
#pragma omp for schedule(static)
    for (std::int64_t i = 0; i < rows; ++i) {
      float* row = y + i * cols;
      float* out = requantized != nullptr ? row_buffer.data() : row;
      kDequantizeRow(row, cols,
                     {.row_scale = row_scales[i],
                      .zero_point = zero_points[i],
                      .column_sums = column_sums,
                      .bias = bias,
                      .out = out},
                     epilogue);
      if (requantized != nullptr) {
        quantize_row(out, cols, requantized->levels + i * cols, requantized->scales + i,
                     requantized->zero_points + i);
      }
    }
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
