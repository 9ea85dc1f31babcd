#include "backend/cuda/host_dtype.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

namespace rerankd::backend::cuda {
namespace {

// CUDA's conversion functions are __host__ __device__, so the host rounds exactly as the device;
// the *_raw structs expose the bits without type punning.
std::uint16_t bits_of(__half value) { return static_cast<__half_raw>(value).x; }
std::uint16_t bits_of(__nv_bfloat16 value) { return static_cast<__nv_bfloat16_raw>(value).x; }

__half half_from_bits(std::uint16_t bits) {
  __half_raw raw;
  raw.x = bits;
  return __half(raw);
}

__nv_bfloat16 bfloat16_from_bits(std::uint16_t bits) {
  __nv_bfloat16_raw raw;
  raw.x = bits;
  return __nv_bfloat16(raw);
}

}  // namespace

std::uint16_t to_device_bits(float value, DeviceDType dtype) {
  return dtype == DeviceDType::kFp16 ? bits_of(__float2half_rn(value))
                                     : bits_of(__float2bfloat16_rn(value));
}

std::vector<std::uint16_t> to_device_bits(std::span<const float> values, DeviceDType dtype) {
  std::vector<std::uint16_t> out(values.size());
  if (dtype == DeviceDType::kFp16) {
    for (std::size_t i = 0; i < values.size(); ++i) out[i] = bits_of(__float2half_rn(values[i]));
  } else {
    for (std::size_t i = 0; i < values.size(); ++i) {
      out[i] = bits_of(__float2bfloat16_rn(values[i]));
    }
  }
  return out;
}

float from_device_bits(std::uint16_t bits, DeviceDType dtype) {
  return dtype == DeviceDType::kFp16 ? __half2float(half_from_bits(bits))
                                     : __bfloat162float(bfloat16_from_bits(bits));
}

}  // namespace rerankd::backend::cuda
