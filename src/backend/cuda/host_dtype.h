// fp32 <-> fp16/bf16 on the host (round to nearest even, as the device converts): weights are
// converted once here before upload, and tests build their fp32 references from the very values
// the device sees.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "backend/cuda/device_dtype.h"

namespace rerankd::backend::cuda {

// The 16-bit patterns of `values` in `dtype`.
std::vector<std::uint16_t> to_device_bits(std::span<const float> values, DeviceDType dtype);
std::uint16_t to_device_bits(float value, DeviceDType dtype);
float from_device_bits(std::uint16_t bits, DeviceDType dtype);

// value rounded to `dtype` and back.
inline float round_to_device(float value, DeviceDType dtype) {
  return from_device_bits(to_device_bits(value, dtype), dtype);
}

}  // namespace rerankd::backend::cuda
