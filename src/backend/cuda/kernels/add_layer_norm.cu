// Residual add + LayerNorm in place, after BertSelfOutput's and BertOutput's dense layers
// (Hugging Face transformers' modeling_bert.py: LayerNorm(hidden_states + input_tensor); the
// dense bias is already added by the GEMM epilogue, dropout is the identity at inference).
#include "backend/cuda/kernels.h"
#include "backend/cuda/kernels/dtype_traits.cuh"
#include "backend/cuda/kernels/layer_norm_row.cuh"

namespace rerankd::backend::cuda {
namespace {

using detail::kLayerNormWarps;
using detail::kPack;

// One warp per row; the warp reads its whole row before writing it, so in place is safe.
template <typename T, int kChunks>
__global__ void __launch_bounds__(kLayerNormWarps * 32)
    add_layer_norm_vector_kernel(T* x, const T* __restrict__ residual, int tokens,
                                 const float* __restrict__ gamma, const float* __restrict__ beta,
                                 int width, float eps) {
  const int lane = threadIdx.x % 32;
  const int row = blockIdx.x * kLayerNormWarps + threadIdx.x / 32;
  if (row >= tokens) return;  // the whole warp leaves together
  const std::int64_t offset = row * static_cast<std::int64_t>(width);
  T* x_row = x + offset;
  const T* residual_row = residual + offset;
  const int chunks = width / kPack;
  float v[kChunks][kPack];
#pragma unroll
  for (int i = 0; i < kChunks; ++i) {
    const int c = lane + i * 32;
    if (c < chunks) {
      float r[kPack];
      detail::load_pack(x_row + c * kPack, v[i]);
      detail::load_pack(residual_row + c * kPack, r);
#pragma unroll
      for (int j = 0; j < kPack; ++j) v[i][j] += r[j];
    } else {
#pragma unroll
      for (int j = 0; j < kPack; ++j) v[i][j] = 0.0f;
    }
  }
  detail::warp_layer_norm_store<T, kChunks>(v, width, gamma, beta, eps, x_row, lane);
}

// Any width: one block per row, the row staged in dynamic shared memory.
template <typename T>
__global__ void __launch_bounds__(detail::kGenericLayerNormThreads)
    add_layer_norm_generic_kernel(T* x, const T* __restrict__ residual,
                                  const float* __restrict__ gamma, const float* __restrict__ beta,
                                  int width, float eps) {
  extern __shared__ float row_values[];
  __shared__ float scratch[32];
  const std::int64_t offset = blockIdx.x * static_cast<std::int64_t>(width);
  T* x_row = x + offset;
  const T* residual_row = residual + offset;
  float partial = 0.0f;
  for (int i = threadIdx.x; i < width; i += blockDim.x) {
    const float value = detail::DTypeTraits<T>::to_float(x_row[i]) +
                        detail::DTypeTraits<T>::to_float(residual_row[i]);
    row_values[i] = value;
    partial += value;
  }
  detail::block_layer_norm_store<T>(row_values, partial, width, gamma, beta, eps, x_row, scratch);
}

}  // namespace

cudaError_t launch_add_layer_norm(DeviceDType dtype, void* x, const void* residual, int tokens,
                                  const DeviceLayerNorm& norm, cudaStream_t stream) {
  const int width = norm.width;
  if (tokens < 0 || width <= 0 || norm.gamma == nullptr || norm.beta == nullptr) {
    return cudaErrorInvalidValue;
  }
  if (tokens == 0) return cudaSuccess;  // an empty grid is a launch error; nothing to do
  return detail::dispatch_dtype(dtype, [&](auto tag) -> cudaError_t {
    using T = typename decltype(tag)::type;
    auto* x_t = static_cast<T*>(x);
    const auto* residual_t = static_cast<const T*>(residual);
    const bool vector = width % kPack == 0 && width <= detail::kMaxVectorWidth &&
                        detail::is_aligned16(x) && detail::is_aligned16(residual) &&
                        detail::is_aligned16(norm.gamma) && detail::is_aligned16(norm.beta);
    if (vector) {
      const dim3 grid((tokens + kLayerNormWarps - 1) / kLayerNormWarps);
      const dim3 block(kLayerNormWarps * 32);
      auto launch = [&](auto chunks) {
        add_layer_norm_vector_kernel<T, decltype(chunks)::value><<<grid, block, 0, stream>>>(
            x_t, residual_t, tokens, norm.gamma, norm.beta, width, norm.eps);
      };
      detail::with_chunks_per_lane(width, launch);
    } else {
      if (width > detail::kMaxGenericWidth) return cudaErrorInvalidValue;
      add_layer_norm_generic_kernel<T>
          <<<tokens, detail::kGenericLayerNormThreads, width * sizeof(float), stream>>>(
              x_t, residual_t, norm.gamma, norm.beta, width, norm.eps);
    }
    return cudaGetLastError();
  });
}

}  // namespace rerankd::backend::cuda
