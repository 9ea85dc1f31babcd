// fp32 -> fp16/bf16 for loading weights: round to nearest even, as PyTorch's .half() and
// .bfloat16() do, so the device weights match a Hugging Face model cast the same way.
#include <algorithm>

#include "backend/cuda/kernels.h"
#include "backend/cuda/kernels/dtype_traits.cuh"

namespace rerankd::backend::cuda {
namespace {

constexpr int kConvertThreads = 256;
// Enough blocks to fill any current GPU; a grid-stride loop covers the rest.
constexpr std::int64_t kMaxConvertBlocks = 4096;

template <typename T>
__global__ void __launch_bounds__(kConvertThreads)
    convert_from_float_kernel(const float* __restrict__ in, T* __restrict__ out, std::int64_t n) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += stride) {
    out[i] = detail::DTypeTraits<T>::from_float(in[i]);
  }
}

}  // namespace

cudaError_t launch_convert_from_float(DeviceDType dtype, const float* in, void* out, std::int64_t n,
                                      cudaStream_t stream) {
  if (n < 0) return cudaErrorInvalidValue;
  if (n == 0) return cudaSuccess;  // an empty grid is a launch error; nothing to do
  const auto blocks = static_cast<unsigned>(
      std::min<std::int64_t>((n + kConvertThreads - 1) / kConvertThreads, kMaxConvertBlocks));
  return detail::dispatch_dtype(dtype, [&](auto tag) -> cudaError_t {
    using T = typename decltype(tag)::type;
    convert_from_float_kernel<T>
        <<<blocks, kConvertThreads, 0, stream>>>(in, static_cast<T*>(out), n);
    return cudaGetLastError();
  });
}

}  // namespace rerankd::backend::cuda
