// The LayerNorm of one row whose fp32 values are already summed (embeddings, or x + residual),
// shared by embed_layer_norm.cu and add_layer_norm.cu. Biased variance over the row, as
// torch.nn.LayerNorm computes it (BertEmbeddings.LayerNorm, BertSelfOutput/BertOutput.LayerNorm
// in Hugging Face transformers' modeling_bert.py); two passes over values held on chip, so the
// variance never suffers the cancellation of E[x^2] - E[x]^2.
#pragma once

#include <type_traits>

#include "backend/cuda/kernels/dtype_traits.cuh"

namespace rerankd::backend::cuda::detail {

// Rows handled by one 128-thread block: one warp each on the vectorized path.
constexpr int kLayerNormWarps = 4;
// The vectorized path keeps a row in registers: up to kMaxLayerNormChunks packs of eight per
// lane, so widths that are multiples of 8 up to 32 * 8 * 4 = 1024.
constexpr int kMaxLayerNormChunks = 4;
constexpr int kMaxVectorWidth = 32 * kPack * kMaxLayerNormChunks;
// The generic path stages the row in shared memory (at most 48 KB without opting in).
constexpr int kGenericLayerNormThreads = 128;
constexpr int kMaxGenericWidth = (48 * 1024) / static_cast<int>(sizeof(float));

// Calls launch(std::integral_constant<int, N>{}) with N the packs per lane a row of `width`
// needs on the vectorized path (1..kMaxLayerNormChunks), so each kernel is compiled for a
// register array of exactly that size.
template <typename Launch>
void with_chunks_per_lane(int width, Launch&& launch) {
  static_assert(kMaxLayerNormChunks == 4, "one case per chunk count below");
  switch ((width / kPack + 31) / 32) {
    case 1:
      launch(std::integral_constant<int, 1>{});
      break;
    case 2:
      launch(std::integral_constant<int, 2>{});
      break;
    case 3:
      launch(std::integral_constant<int, 3>{});
      break;
    default:
      launch(std::integral_constant<int, 4>{});
      break;
  }
}

// One warp normalizes one row: lane `lane` holds packs lane, lane + 32, ... of the row in v
// (packs past width / 8 are ignored) and writes the normalized row to out_row.
template <typename T, int kChunks>
__device__ __forceinline__ void warp_layer_norm_store(const float (&v)[kChunks][kPack], int width,
                                                      const float* __restrict__ gamma,
                                                      const float* __restrict__ beta, float eps,
                                                      T* out_row, int lane) {
  const int chunks = width / kPack;
  float sum = 0.0f;
#pragma unroll
  for (int i = 0; i < kChunks; ++i) {
    if (lane + i * 32 < chunks) {
#pragma unroll
      for (int j = 0; j < kPack; ++j) sum += v[i][j];
    }
  }
  const float mean = warp_sum(sum) / static_cast<float>(width);
  float squares = 0.0f;
#pragma unroll
  for (int i = 0; i < kChunks; ++i) {
    if (lane + i * 32 < chunks) {
#pragma unroll
      for (int j = 0; j < kPack; ++j) {
        const float d = v[i][j] - mean;
        squares += d * d;
      }
    }
  }
  const float rstd = rsqrtf(warp_sum(squares) / static_cast<float>(width) + eps);
#pragma unroll
  for (int i = 0; i < kChunks; ++i) {
    const int c = lane + i * 32;
    if (c < chunks) {
      const float4 g0 = reinterpret_cast<const float4*>(gamma)[2 * c];
      const float4 g1 = reinterpret_cast<const float4*>(gamma)[2 * c + 1];
      const float4 b0 = reinterpret_cast<const float4*>(beta)[2 * c];
      const float4 b1 = reinterpret_cast<const float4*>(beta)[2 * c + 1];
      const float g[kPack] = {g0.x, g0.y, g0.z, g0.w, g1.x, g1.y, g1.z, g1.w};
      const float b[kPack] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
      float y[kPack];
#pragma unroll
      for (int j = 0; j < kPack; ++j) y[j] = (v[i][j] - mean) * rstd * g[j] + b[j];
      store_pack(y, out_row + c * kPack);
    }
  }
}

// One block normalizes one row staged in shared memory `row` (written by this block before the
// call; the first block_sum's barrier publishes it). `partial` is this thread's share of the
// row's sum; `scratch` is 32 floats of shared memory.
template <typename T>
__device__ __forceinline__ void block_layer_norm_store(const float* row, float partial, int width,
                                                       const float* __restrict__ gamma,
                                                       const float* __restrict__ beta, float eps,
                                                       T* out_row, float* scratch) {
  const float mean = block_sum(partial, scratch) / static_cast<float>(width);
  float squares = 0.0f;
  for (int i = threadIdx.x; i < width; i += blockDim.x) {
    const float d = row[i] - mean;
    squares += d * d;
  }
  const float rstd = rsqrtf(block_sum(squares, scratch) / static_cast<float>(width) + eps);
  for (int i = threadIdx.x; i < width; i += blockDim.x) {
    out_row[i] = DTypeTraits<T>::from_float((row[i] - mean) * rstd * gamma[i] + beta[i]);
  }
}

}  // namespace rerankd::backend::cuda::detail
