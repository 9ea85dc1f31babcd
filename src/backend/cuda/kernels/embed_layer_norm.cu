// Fused BertEmbeddings: gather the word, position and token-type rows of each packed token, sum
// them and LayerNorm the sum in fp32 (Hugging Face transformers' modeling_bert.py,
// BertEmbeddings.forward: inputs_embeds + token_type_embeddings + position_embeddings, then
// LayerNorm; dropout is the identity at inference).
#include "backend/cuda/kernels.h"
#include "backend/cuda/kernels/dtype_traits.cuh"
#include "backend/cuda/kernels/layer_norm_row.cuh"

namespace rerankd::backend::cuda {
namespace {

using detail::kLayerNormWarps;
using detail::kPack;

// One warp per token; each lane gathers 16-byte packs of the three rows.
template <typename T, int kChunks>
__global__ void __launch_bounds__(kLayerNormWarps * 32)
    embed_layer_norm_vector_kernel(const std::int32_t* __restrict__ input_ids,
                                   const std::int32_t* __restrict__ position_ids,
                                   const std::int32_t* __restrict__ token_type_ids, int tokens,
                                   const T* __restrict__ word, const T* __restrict__ position,
                                   const T* __restrict__ token_type,
                                   const float* __restrict__ gamma, const float* __restrict__ beta,
                                   int width, float eps, T* __restrict__ out) {
  const int lane = threadIdx.x % 32;
  const int row = blockIdx.x * kLayerNormWarps + threadIdx.x / 32;
  if (row >= tokens) return;  // the whole warp leaves together
  const std::int64_t w = width;
  const T* word_row = word + input_ids[row] * w;
  const T* position_row = position + position_ids[row] * w;
  const T* type_row = token_type + token_type_ids[row] * w;
  const int chunks = width / kPack;
  float v[kChunks][kPack];
#pragma unroll
  for (int i = 0; i < kChunks; ++i) {
    const int c = lane + i * 32;
    if (c < chunks) {
      float a[kPack];
      float b[kPack];
      float p[kPack];
      detail::load_pack(word_row + c * kPack, a);
      detail::load_pack(type_row + c * kPack, b);
      detail::load_pack(position_row + c * kPack, p);
#pragma unroll
      for (int j = 0; j < kPack; ++j) v[i][j] = (a[j] + b[j]) + p[j];
    } else {
#pragma unroll
      for (int j = 0; j < kPack; ++j) v[i][j] = 0.0f;
    }
  }
  detail::warp_layer_norm_store<T, kChunks>(v, width, gamma, beta, eps, out + row * w, lane);
}

// Any width: one block per token, the row staged in dynamic shared memory.
template <typename T>
__global__ void __launch_bounds__(detail::kGenericLayerNormThreads)
    embed_layer_norm_generic_kernel(const std::int32_t* __restrict__ input_ids,
                                    const std::int32_t* __restrict__ position_ids,
                                    const std::int32_t* __restrict__ token_type_ids,
                                    const T* __restrict__ word, const T* __restrict__ position,
                                    const T* __restrict__ token_type,
                                    const float* __restrict__ gamma, const float* __restrict__ beta,
                                    int width, float eps, T* __restrict__ out) {
  extern __shared__ float row_values[];
  __shared__ float scratch[32];
  const int row = blockIdx.x;
  const std::int64_t w = width;
  const T* word_row = word + input_ids[row] * w;
  const T* position_row = position + position_ids[row] * w;
  const T* type_row = token_type + token_type_ids[row] * w;
  float partial = 0.0f;
  for (int i = threadIdx.x; i < width; i += blockDim.x) {
    const float value = (detail::DTypeTraits<T>::to_float(word_row[i]) +
                         detail::DTypeTraits<T>::to_float(type_row[i])) +
                        detail::DTypeTraits<T>::to_float(position_row[i]);
    row_values[i] = value;
    partial += value;
  }
  detail::block_layer_norm_store<T>(row_values, partial, width, gamma, beta, eps, out + row * w,
                                    scratch);
}

}  // namespace

cudaError_t launch_embed_layer_norm(DeviceDType dtype, const std::int32_t* input_ids,
                                    const std::int32_t* position_ids,
                                    const std::int32_t* token_type_ids, int tokens,
                                    const void* word, const void* position, const void* token_type,
                                    const DeviceLayerNorm& norm, void* out, cudaStream_t stream) {
  const int width = norm.width;
  if (tokens < 0 || width <= 0 || norm.gamma == nullptr || norm.beta == nullptr) {
    return cudaErrorInvalidValue;
  }
  if (tokens == 0) return cudaSuccess;  // an empty grid is a launch error; nothing to do
  return detail::dispatch_dtype(dtype, [&](auto tag) -> cudaError_t {
    using T = typename decltype(tag)::type;
    const auto* word_t = static_cast<const T*>(word);
    const auto* position_t = static_cast<const T*>(position);
    const auto* type_t = static_cast<const T*>(token_type);
    auto* out_t = static_cast<T*>(out);
    const bool vector = width % kPack == 0 && width <= detail::kMaxVectorWidth &&
                        detail::is_aligned16(word) && detail::is_aligned16(position) &&
                        detail::is_aligned16(token_type) && detail::is_aligned16(out) &&
                        detail::is_aligned16(norm.gamma) && detail::is_aligned16(norm.beta);
    if (vector) {
      const dim3 grid((tokens + kLayerNormWarps - 1) / kLayerNormWarps);
      const dim3 block(kLayerNormWarps * 32);
      auto launch = [&](auto chunks) {
        embed_layer_norm_vector_kernel<T, decltype(chunks)::value><<<grid, block, 0, stream>>>(
            input_ids, position_ids, token_type_ids, tokens, word_t, position_t, type_t, norm.gamma,
            norm.beta, width, norm.eps, out_t);
      };
      detail::with_chunks_per_lane(width, launch);
    } else {
      if (width > detail::kMaxGenericWidth) return cudaErrorInvalidValue;
      embed_layer_norm_generic_kernel<T>
          <<<tokens, detail::kGenericLayerNormThreads, width * sizeof(float), stream>>>(
              input_ids, position_ids, token_type_ids, word_t, position_t, type_t, norm.gamma,
              norm.beta, width, norm.eps, out_t);
    }
    return cudaGetLastError();
  });
}

}  // namespace rerankd::backend::cuda
