// Finding NaN and infinity in float data: NaN weights or an overflowed logit must become an error
// that names where, never a `"score": null` answered with 200.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

namespace rerankd {

inline constexpr std::size_t kAllFinite = static_cast<std::size_t>(-1);

// The index of the first NaN or infinity in `values`, or kAllFinite. An exponent of all ones
// is exactly what non-finite means; the bit test vectorises, std::isfinite under -O2 need not.
inline std::size_t first_non_finite(std::span<const float> values) {
  constexpr std::uint32_t kExponent = 0x7f800000u;
  constexpr std::size_t kBlock = 1024;
  for (std::size_t begin = 0; begin < values.size(); begin += kBlock) {
    const std::size_t end = begin + kBlock < values.size() ? begin + kBlock : values.size();
    bool any = false;
    for (std::size_t i = begin; i < end; ++i) {
      any |= (std::bit_cast<std::uint32_t>(values[i]) & kExponent) == kExponent;
    }
    if (!any) continue;
    for (std::size_t i = begin; i < end; ++i) {
      if ((std::bit_cast<std::uint32_t>(values[i]) & kExponent) == kExponent) return i;
    }
  }
  return kAllFinite;
}

}  // namespace rerankd
