// The BERT cross-encoder on one GPU: its weights uploaded once (16-bit tables and projections,
// fp32 LayerNorm and classifier head) and the forward pass over a packed batch, enqueued on one
// stream without allocating or synchronizing, so that a later step can capture it into a CUDA
// graph.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "backend/cuda/device_dtype.h"
#include "backend/cuda/device_memory.h"
#include "backend/cuda/kernels.h"
#include "backend/cuda/lt_matmul.h"
#include "common/result.h"
#include "model/bert_config.h"
#include "model/bert_weights.h"

namespace rerankd::backend::cuda {

// Byte offsets of one batch's buffers in the activation arena, each 256-byte aligned (cuBLASLt's
// default alignment assumption). The inputs block (ids, positions, types, cu_seqlens) comes
// first, laid out the same in the pinned staging buffer, so one copy moves all of it.
struct ForwardLayout {
  std::size_t input_ids = 0;       // int32 [tokens]
  std::size_t position_ids = 0;    // int32 [tokens]
  std::size_t token_type_ids = 0;  // int32 [tokens]
  std::size_t cu_seqlens = 0;      // int32 [pairs + 1]
  std::size_t inputs_bytes = 0;    // the inputs block: [0, inputs_bytes)
  std::size_t hidden = 0;          // [tokens, hidden]: the running hidden state
  std::size_t qkv = 0;             // [tokens, 3 * hidden]
  std::size_t context = 0;         // [tokens, hidden]: attention before its dense layer
  std::size_t attention = 0;       // [tokens, hidden]: after dense + residual + LayerNorm
  std::size_t intermediate = 0;    // [tokens, intermediate]
  std::size_t pooled = 0;          // fp32 [pairs, hidden]: the pooler's output
  std::size_t logits = 0;          // fp32 [pairs, num_labels]
  std::size_t workspace = 0;       // cuBLASLt workspace
  std::size_t total = 0;
};

inline constexpr std::size_t kArenaAlignment = 256;
ForwardLayout forward_layout(const model::BertConfig& config, std::size_t tokens,
                             std::size_t pairs);

// What one forward pass runs on: the arena base (device) and the batch's sizes.
struct ForwardArgs {
  std::byte* arena = nullptr;  // device, ForwardLayout::total bytes, inputs already copied in
  ForwardLayout layout;
  int tokens = 0;
  int pairs = 0;
  int max_length = 0;  // longest pair, <= the model's max_sequence_length()
};

// Pairs per launch: the fused attention kernel's grid z dimension. Its pair length has no limit
// of its own (it streams keys through shared memory, so memory is linear in the length); the
// model's position table bounds it.
inline constexpr std::size_t kMaxPairsPerBatch = 65535;

// Immutable after create: several workers on one device can share it, each calling
// enqueue_forward with its own arena and stream (the LtMatmuls guard their algorithm caches).
class DeviceBert {
 public:
  // Uploads `weights` (checked against `config` as the reference backend checks them) to the
  // current device in `dtype`. FailedPrecondition for mismatched weights; Unimplemented when
  // cuBLASLt cannot run a projection or the attention kernel the head size; ResourceExhausted when
  // the device is out of memory. `handle` must outlive the DeviceBert; the host weights are not
  // read afterwards.
  static Result<std::unique_ptr<DeviceBert>> create(const model::BertConfig& config,
                                                    const model::BertWeights& weights,
                                                    DeviceDType dtype, cublasLtHandle_t handle);

  // Enqueues embeddings, the encoder layers and the classifier head on `stream`: logits land at
  // args.layout.logits. Only launch errors are reported; faults surface at the caller's sync.
  Status enqueue_forward(const ForwardArgs& args, cudaStream_t stream) const;

  DeviceDType dtype() const { return dtype_; }
  // Bytes of weights on the device.
  std::size_t weight_bytes() const { return weight_bytes_; }

 private:
  struct Layer {
    LtMatmul qkv;               // query | key | value rows concatenated: one GEMM
    LtMatmul attention_output;  // BertSelfOutput.dense
    LtMatmul intermediate;      // BertIntermediate.dense, activation as the epilogue
    LtMatmul output;            // BertOutput.dense
    DeviceLayerNorm attention_norm;
    DeviceLayerNorm output_norm;
  };

  struct Buffers;
  DeviceBert() = default;
  Status enqueue_self_attention(const Layer& layer, const Buffers& at, std::int64_t rows,
                                const PackedAttentionShape& shape, cudaStream_t stream) const;
  Status enqueue_dense_part(const Layer& layer, const void* context, const void* residual,
                            void* attention, void* intermediate, void* out, std::int64_t rows,
                            void* workspace, cudaStream_t stream) const;

  model::BertConfig config_;
  DeviceDType dtype_ = DeviceDType::kFp16;
  DeviceBuffer parameters_;  // embedding tables, LayerNorm parameters, classifier head
  const void* word_embeddings_ = nullptr;
  const void* position_embeddings_ = nullptr;
  const void* token_type_embeddings_ = nullptr;
  DeviceLayerNorm embedding_norm_;
  std::vector<Layer> layers_;
  DeviceClassifierHead head_;
  std::size_t weight_bytes_ = 0;
};

}  // namespace rerankd::backend::cuda
