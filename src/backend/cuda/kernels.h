// The cuda backend's own kernels (everything that is not a GEMM), declared for host code
// compiled by the C++ compiler: tensors are raw device pointers whose element type is `dtype`
// (__half or __nv_bfloat16 in the .cu files), so no CUDA header beyond the runtime API leaks.
// Each launch is asynchronous on `stream` and returns the launch error (cudaSuccess when
// queued). All math is fp32; only loads and stores are 16-bit.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "backend/cuda/device_dtype.h"

namespace rerankd::backend::cuda {

// LayerNorm parameters stay fp32 on the device (they are tiny and precision-sensitive).
struct DeviceLayerNorm {
  const float* gamma = nullptr;  // [width]
  const float* beta = nullptr;   // [width]
  int width = 0;
  float eps = 1e-12f;
};

// out[t] = LayerNorm(word[input_ids[t]] + position[position_ids[t]] + token_type[type_ids[t]])
// for the `tokens` packed rows. Tables are [rows, width] in `dtype`; out is [tokens, width].
// Ids are already checked by the host (reference::check_batch).
cudaError_t launch_embed_layer_norm(DeviceDType dtype, const std::int32_t* input_ids,
                                    const std::int32_t* position_ids,
                                    const std::int32_t* token_type_ids, int tokens,
                                    const void* word, const void* position, const void* token_type,
                                    const DeviceLayerNorm& norm, void* out, cudaStream_t stream);

// In place: x[t] = LayerNorm(x[t] + residual[t]) for `tokens` rows of norm.width (BertSelfOutput
// and BertOutput after their dense layer, whose bias the GEMM already added).
cudaError_t launch_add_layer_norm(DeviceDType dtype, void* x, const void* residual, int tokens,
                                  const DeviceLayerNorm& norm, cudaStream_t stream);

struct PackedAttentionShape {
  int num_pairs = 0;
  int num_heads = 0;
  int head_size = 0;   // hidden = num_heads * head_size
  int max_length = 0;  // longest pair, for the grid (keys stream through shared memory, so
                       // any length works; rows of a pair longer than this are not computed)
};

// Padding-free self-attention: qkv is [tokens, 3 * hidden] (each row q | k | v, heads
// contiguous within each), cu_seqlens (device, num_pairs + 1 entries) delimits the pairs,
// context is [tokens, hidden]. For each pair and head, over the pair's own tokens only:
// context = softmax(q k^T / sqrt(head_size)) v, with the scores in registers/shared memory and
// never in global memory. head_size 16, 32, 64 or 128, and qkv and context 16-byte aligned;
// anything else returns cudaErrorInvalidValue without launching.
cudaError_t launch_packed_attention(DeviceDType dtype, const void* qkv,
                                    const std::int32_t* cu_seqlens,
                                    const PackedAttentionShape& shape, void* context,
                                    cudaStream_t stream);

// out[p] = x[cu_seqlens[p]] for each pair p: the [CLS] rows of x [tokens, width] (16-bit
// elements, fp16 or bf16 alike) into a compact out [num_pairs, width].
cudaError_t launch_gather_cls_rows(const void* x, const std::int32_t* cu_seqlens, int num_pairs,
                                   int width, void* out, cudaStream_t stream);

// The sequence-classification head: for each pair p, cls = hidden[cu_seqlens[p]] (its [CLS]
// row; hidden[p] when cu_seqlens is null, for [CLS] rows already gathered), pooled =
// tanh(pooler_weight cls + pooler_bias), logits[p] = classifier_weight pooled + classifier_bias.
// hidden is [tokens, width] in `dtype`; the four weights are fp32 on the device
// ([width, width], [width], [num_labels, width], [num_labels], PyTorch's [out, in] layout);
// pooled is fp32 device scratch of [num_pairs, width] (the pooler's output, which the
// classifier step reads); logits is fp32 [num_pairs, num_labels].
struct DeviceClassifierHead {
  const float* pooler_weight = nullptr;
  const float* pooler_bias = nullptr;
  const float* classifier_weight = nullptr;
  const float* classifier_bias = nullptr;
  int width = 0;
  int num_labels = 0;
};
cudaError_t launch_classifier_head(DeviceDType dtype, const void* hidden,
                                   const std::int32_t* cu_seqlens, int num_pairs,
                                   const DeviceClassifierHead& head, float* pooled, float* logits,
                                   cudaStream_t stream);

// Converts n fp32 values (device) to `dtype` (device), for loading weights.
cudaError_t launch_convert_from_float(DeviceDType dtype, const float* in, void* out, std::int64_t n,
                                      cudaStream_t stream);

}  // namespace rerankd::backend::cuda
