// Device-side helpers shared by the kernels: 16-bit <-> fp32 conversion for the two storage
// types, 16-byte packs of eight values, warp/block sums and the DeviceDType -> C++ type dispatch.
// Only .cu files include this; kernels.h stays free of cuda_fp16.h.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime_api.h>

#include <cstdint>

#include "backend/cuda/device_dtype.h"

namespace rerankd::backend::cuda::detail {

template <typename T>
struct DTypeTraits;

template <>
struct DTypeTraits<__half> {
  static __device__ __forceinline__ float to_float(__half x) { return __half2float(x); }
  // Round to nearest even, as PyTorch's .half() does.
  static __device__ __forceinline__ __half from_float(float x) { return __float2half_rn(x); }
};

template <>
struct DTypeTraits<__nv_bfloat16> {
  static __device__ __forceinline__ float to_float(__nv_bfloat16 x) { return __bfloat162float(x); }
  static __device__ __forceinline__ __nv_bfloat16 from_float(float x) {
    return __float2bfloat16_rn(x);
  }
};

// Eight 16-bit values, one 16-byte memory transaction per lane.
constexpr int kPack = 8;

// Loads eight values from a 16-byte aligned address and widens them to fp32.
template <typename T>
__device__ __forceinline__ void load_pack(const T* src, float (&dst)[kPack]) {
  const uint4 raw = *reinterpret_cast<const uint4*>(src);
  const T* values = reinterpret_cast<const T*>(&raw);
#pragma unroll
  for (int i = 0; i < kPack; ++i) dst[i] = DTypeTraits<T>::to_float(values[i]);
}

// Rounds eight fp32 values and stores them to a 16-byte aligned address.
template <typename T>
__device__ __forceinline__ void store_pack(const float (&src)[kPack], T* dst) {
  uint4 raw;
  T* values = reinterpret_cast<T*>(&raw);
#pragma unroll
  for (int i = 0; i < kPack; ++i) values[i] = DTypeTraits<T>::from_float(src[i]);
  *reinterpret_cast<uint4*>(dst) = raw;
}

__device__ __forceinline__ float warp_sum(float value) {
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) {
    value += __shfl_xor_sync(0xffffffffu, value, offset);
  }
  return value;
}

// Sum over the whole block (blockDim.x a multiple of 32, at most 1024); every thread gets the
// result. `scratch` is 32 floats of shared memory; the call begins with a barrier so the same
// scratch can be reused by consecutive calls.
__device__ __forceinline__ float block_sum(float value, float* scratch) {
  const int lane = threadIdx.x % 32;
  const int warp = threadIdx.x / 32;
  const int warps = blockDim.x / 32;
  value = warp_sum(value);
  __syncthreads();
  if (lane == 0) scratch[warp] = value;
  __syncthreads();
  float total = lane < warps ? scratch[lane] : 0.0f;
  return warp_sum(total);
}

inline bool is_aligned16(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }

template <typename T>
struct TypeTag {
  using type = T;
};

// Calls f(TypeTag<__half>{}) or f(TypeTag<__nv_bfloat16>{}) for the storage type.
template <typename F>
cudaError_t dispatch_dtype(DeviceDType dtype, F&& f) {
  if (dtype == DeviceDType::kFp16) return f(TypeTag<__half>{});
  return f(TypeTag<__nv_bfloat16>{});
}

}  // namespace rerankd::backend::cuda::detail
