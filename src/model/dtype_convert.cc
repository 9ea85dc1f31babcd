#include "model/dtype_convert.h"

#include <bit>
#include <cstring>

namespace rerankd::model {
namespace {

constexpr std::uint32_t kF32SignMask = 0x80000000u;

std::uint16_t load_u16_le(const std::byte* p) {
  return static_cast<std::uint16_t>(static_cast<unsigned>(p[0]) |
                                    (static_cast<unsigned>(p[1]) << 8));
}

}  // namespace

float f16_bits_to_f32(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1Fu;
  std::uint32_t mantissa = bits & 0x3FFu;
  std::uint32_t out = 0;
  if (exponent == 0x1F) {
    out = sign | 0x7F800000u | (mantissa << 13);  // infinity, or NaN keeping its payload
  } else if (exponent != 0) {
    out = sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    out = sign;  // signed zero
  } else {
    // Subnormal half: shift the mantissa up until its leading one becomes the implicit bit.
    std::uint32_t e = 127 - 15 + 1;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --e;
    }
    out = sign | (e << 23) | ((mantissa & 0x3FFu) << 13);
  }
  return std::bit_cast<float>(out);
}

float bf16_bits_to_f32(std::uint16_t bits) {
  // bfloat16 is the top half of a float.
  return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

std::uint16_t f32_to_bf16_bits(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) {
    return static_cast<std::uint16_t>((bits >> 16) | 0x0040u);  // NaN: keep it quiet
  }
  const std::uint32_t rounding = 0x7FFFu + ((bits >> 16) & 1u);
  return static_cast<std::uint16_t>((bits + rounding) >> 16);
}

std::uint16_t f32_to_f16_bits(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  const std::uint16_t sign = static_cast<std::uint16_t>((bits & kF32SignMask) >> 16);
  const std::uint32_t magnitude = bits & 0x7FFFFFFFu;
  if (magnitude > 0x7F800000u) {  // NaN
    return static_cast<std::uint16_t>(sign | 0x7E00u | ((magnitude >> 13) & 0x3FFu));
  }
  if (magnitude >= 0x477FF000u) {  // >= 65520: rounds past the largest half, 65504
    return static_cast<std::uint16_t>(sign | 0x7C00u);
  }
  const std::int32_t exponent = static_cast<std::int32_t>(magnitude >> 23) - 127;
  if (exponent >= -14) {
    // Normal half: drop 13 mantissa bits with round-to-nearest-even; a carry out of the mantissa
    // correctly bumps the exponent.
    const std::uint32_t rebased = magnitude - ((127u - 15u) << 23);
    const std::uint32_t rounding = 0xFFFu + ((rebased >> 13) & 1u);
    return static_cast<std::uint16_t>(sign | ((rebased + rounding) >> 13));
  }
  if (exponent < -25) return sign;  // below half the smallest subnormal: rounds to zero
  // Subnormal half: value = m * 2^-24 with m = full_mantissa >> shift, rounded to nearest even.
  const std::uint32_t full_mantissa = (magnitude & 0x7FFFFFu) | 0x800000u;
  const std::uint32_t shift = static_cast<std::uint32_t>(-exponent - 1);  // 14..24
  const std::uint32_t kept = full_mantissa >> shift;
  const std::uint32_t remainder = full_mantissa & ((1u << shift) - 1u);
  const std::uint32_t halfway = 1u << (shift - 1);
  std::uint32_t result = kept;
  if (remainder > halfway || (remainder == halfway && (kept & 1u) != 0)) ++result;
  return static_cast<std::uint16_t>(sign | result);
}

void f16_bytes_to_f32(std::span<const std::byte> in, std::span<float> out) {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = f16_bits_to_f32(load_u16_le(&in[2 * i]));
}

void bf16_bytes_to_f32(std::span<const std::byte> in, std::span<float> out) {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = bf16_bits_to_f32(load_u16_le(&in[2 * i]));
}

}  // namespace rerankd::model
