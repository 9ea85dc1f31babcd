// Exact conversions between IEEE half (F16), bfloat16 (BF16) and float (F32), done on bit
// patterns so the result never depends on the host's floating-point environment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace rerankd::model {

// Widening is exact: every F16 and BF16 value (subnormals, infinities, NaN payloads) is a float.
float f16_bits_to_f32(std::uint16_t bits);
float bf16_bits_to_f32(std::uint16_t bits);

// Narrowing rounds to nearest, ties to even, as PyTorch's .half() / .bfloat16() do. Values past
// the F16 range become infinity; NaN stays NaN (quiet).
std::uint16_t f32_to_f16_bits(float value);
std::uint16_t f32_to_bf16_bits(float value);

// Converts little-endian 2-byte elements (no alignment needed) into `out` (out.size() elements).
void f16_bytes_to_f32(std::span<const std::byte> in, std::span<float> out);
void bf16_bytes_to_f32(std::span<const std::byte> in, std::span<float> out);

}  // namespace rerankd::model
