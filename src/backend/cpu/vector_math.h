// Elementwise math written so GCC vectorizes loops that call it (std::exp does not vectorize
// without -ffast-math, and the softmax of attention calls it length^2 x heads x layers times).
#pragma once

#include <bit>
#include <cstdint>

namespace rerankd::backend::cpu {

// e^r for |r| <= ln2 / 2 by its Taylor series to r^6 (Horner): truncation error
// < 0.35^7 / 7! ~ 1.3e-7. T is float or a simd.h vector.
template <typename T>
[[gnu::always_inline]] inline T exp_taylor(T r) {
  T p = T{} + 1.0f / 720.0f;  // a constant, for a float or a vector alike
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  return p * r + 1.0f;
}

// e^x for x <= 0 (softmax after subtracting the row maximum), relative error ~2e-7 on
// [-87, 0]; below -87 it returns about 1.6e-38 instead of a denormal or 0, a weight softmax
// cannot tell from 0. always_inline: it must inline into the target_clones kernels that call it,
// and GCC does not inline a default-target function into an arch=x86-64-v3 clone otherwise.
[[gnu::always_inline]] inline float exp_non_positive(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2High = 0.693359375f;  // ln 2 split in two so n * ln2 subtracts exactly
  constexpr float kLn2Low = -2.12194440e-4f;
  constexpr float kRoundMagic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  x = x < -87.0f ? -87.0f : x;
  const float n = (x * kLog2e + kRoundMagic) - kRoundMagic;  // nearest integer to x / ln 2
  const float r = (x - n * kLn2High) - n * kLn2Low;          // |r| <= ln2 / 2
  const float p = exp_taylor(r);
  // 2^n built directly in the exponent field; n is in [-126, 0] here.
  const auto scale = std::bit_cast<float>((static_cast<std::int32_t>(n) + 127) << 23);
  return p * scale;
}

}  // namespace rerankd::backend::cpu
