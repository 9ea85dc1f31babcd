#include "model/dtype_convert.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace rerankd::model {
namespace {

std::uint32_t bits_of(float value) { return std::bit_cast<std::uint32_t>(value); }

TEST(DtypeConvert, F16KnownPatternsWidenExactly) {
  EXPECT_EQ(f16_bits_to_f32(0x3C00), 1.0f);
  EXPECT_EQ(f16_bits_to_f32(0xC000), -2.0f);
  EXPECT_EQ(f16_bits_to_f32(0x3555), 0.333251953125f);
  EXPECT_EQ(f16_bits_to_f32(0x7BFF), 65504.0f);                  // largest half
  EXPECT_EQ(f16_bits_to_f32(0x0400), std::ldexp(1.0f, -14));     // smallest normal
  EXPECT_EQ(f16_bits_to_f32(0x0001), std::ldexp(1.0f, -24));     // smallest subnormal
  EXPECT_EQ(f16_bits_to_f32(0x03FF), std::ldexp(1023.0f, -24));  // largest subnormal
  EXPECT_EQ(f16_bits_to_f32(0x8001), -std::ldexp(1.0f, -24));
  EXPECT_EQ(bits_of(f16_bits_to_f32(0x0000)), 0x00000000u);
  EXPECT_EQ(bits_of(f16_bits_to_f32(0x8000)), 0x80000000u);  // negative zero keeps its sign
  EXPECT_EQ(f16_bits_to_f32(0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(f16_bits_to_f32(0xFC00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(f16_bits_to_f32(0x7E00)));
  EXPECT_TRUE(std::isnan(f16_bits_to_f32(0x7C01)));  // signalling NaN stays NaN, not infinity
}

TEST(DtypeConvert, Bf16IsTheTopHalfOfAFloat) {
  EXPECT_EQ(bf16_bits_to_f32(0x3F80), 1.0f);
  EXPECT_EQ(bf16_bits_to_f32(0xC040), -3.0f);
  EXPECT_EQ(bits_of(bf16_bits_to_f32(0x0001)), 0x00010000u);  // float subnormal
  EXPECT_EQ(bf16_bits_to_f32(0x7F80), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(bf16_bits_to_f32(0x7FC0)));
}

TEST(DtypeConvert, F16RoundTripsEveryPattern) {
  for (std::uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto half = static_cast<std::uint16_t>(bits);
    const float wide = f16_bits_to_f32(half);
    if (std::isnan(wide)) {
      EXPECT_TRUE(std::isnan(f16_bits_to_f32(f32_to_f16_bits(wide)))) << bits;
    } else {
      ASSERT_EQ(f32_to_f16_bits(wide), half) << "pattern " << bits;
    }
  }
}

TEST(DtypeConvert, F16NarrowingRoundsToNearestEven) {
  // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties to even -> 1.
  EXPECT_EQ(f32_to_f16_bits(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
  // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even): rounds up.
  EXPECT_EQ(f32_to_f16_bits(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);
  EXPECT_EQ(f32_to_f16_bits(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3C01);
  EXPECT_EQ(f32_to_f16_bits(65519.0f), 0x7BFF);
  EXPECT_EQ(f32_to_f16_bits(65520.0f), 0x7C00);  // the tie past the largest half overflows
  EXPECT_EQ(f32_to_f16_bits(-1e10f), 0xFC00);
  // Subnormals: 2^-25 is half the smallest subnormal, a tie with zero (even) -> 0.
  EXPECT_EQ(f32_to_f16_bits(std::ldexp(1.0f, -25)), 0x0000);
  EXPECT_EQ(f32_to_f16_bits(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(f32_to_f16_bits(std::ldexp(3.0f, -25)), 0x0002);  // 1.5 units: tie to even 2
  EXPECT_EQ(f32_to_f16_bits(std::ldexp(1.0f, -30)), 0x0000);
  EXPECT_EQ(f32_to_f16_bits(-std::ldexp(1.0f, -30)), 0x8000);
  // The largest subnormal rounds up into the smallest normal.
  EXPECT_EQ(f32_to_f16_bits(std::ldexp(1023.75f, -24)), 0x0400);
}

TEST(DtypeConvert, Bf16NarrowingRoundsToNearestEven) {
  EXPECT_EQ(f32_to_bf16_bits(1.0f), 0x3F80);
  EXPECT_EQ(f32_to_bf16_bits(std::bit_cast<float>(0x3F808000u)), 0x3F80);  // tie, even stays
  EXPECT_EQ(f32_to_bf16_bits(std::bit_cast<float>(0x3F818000u)), 0x3F82);  // tie, odd rounds up
  EXPECT_EQ(f32_to_bf16_bits(std::bit_cast<float>(0x3F808001u)), 0x3F81);
  EXPECT_EQ(f32_to_bf16_bits(std::bit_cast<float>(0x7F7FFFFFu)), 0x7F80);  // overflows to inf
  EXPECT_TRUE(std::isnan(bf16_bits_to_f32(f32_to_bf16_bits(std::bit_cast<float>(0x7F800001u)))));
}

TEST(DtypeConvert, BulkConversionReadsLittleEndianWithoutAlignment) {
  // One leading byte so the 2-byte elements start at an odd address.
  const std::vector<std::byte> raw = {std::byte{0xAA}, std::byte{0x00}, std::byte{0x3C},
                                      std::byte{0x00}, std::byte{0xC0}};
  std::vector<float> out(2);
  f16_bytes_to_f32(std::span(raw).subspan(1), out);
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -2.0f);
  const std::vector<std::byte> bf = {std::byte{0x80}, std::byte{0x3F}};
  std::vector<float> one(1);
  bf16_bytes_to_f32(bf, one);
  EXPECT_EQ(one[0], 1.0f);
}

}  // namespace
}  // namespace rerankd::model
