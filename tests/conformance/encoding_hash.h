// The 64-bit FNV-1a hashes the tokenizer fixture tools write (tools/make_tokenizer_fixtures.py,
// make_xlmr_tokenizer_fixtures.py, make_tokenizer_variant_fixtures.py), so an expected encoding
// can be stored in 16 hex digits.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "text/tokenizer.h"

namespace rerankd::testing {

inline constexpr std::uint64_t kFnvBasis = 0xCBF29CE484222325ull;

inline std::uint64_t fnv1a_byte(std::uint64_t h, unsigned char byte) {
  return (h ^ byte) * 0x100000001B3ull;
}

inline std::uint64_t fnv1a_bytes(std::uint64_t h, std::string_view bytes) {
  for (const char c : bytes) h = fnv1a_byte(h, static_cast<unsigned char>(c));
  return h;
}

// Over each position: the 4 little-endian bytes of input_ids[i], then those of token_type_ids[i].
inline std::uint64_t fnv1a(const text::Encoding& encoding) {
  std::uint64_t h = kFnvBasis;
  const auto mix = [&h](std::int32_t value) {
    const auto bits = static_cast<std::uint32_t>(value);
    for (int shift = 0; shift < 32; shift += 8) h = fnv1a_byte(h, (bits >> shift) & 0xFFu);
  };
  for (std::size_t i = 0; i < encoding.size(); ++i) {
    mix(encoding.input_ids[i]);
    mix(encoding.token_type_ids[i]);
  }
  return h;
}

inline std::string hex16(std::uint64_t h) {
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

}  // namespace rerankd::testing
