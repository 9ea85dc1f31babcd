// The cpu backend's BERT cross-encoder forward pass over a packed batch: every GEMM runs once on
// the tokens of all pairs end to end (oneDNN), attention runs per (pair, head) over the pair's
// own length, and there is no padding anywhere.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "backend/cpu/classifier_head.h"
#include "backend/cpu/layer_norm.h"
#include "backend/cpu/matmul.h"
#include "backend/cpu/workspace.h"
#include "backend/packed_batch.h"
#include "common/result.h"
#include "model/bert_config.h"
#include "model/bert_weights.h"

namespace rerankd::backend::cpu {

// Not thread-safe: one caller at a time (its workspace and oneDNN streams are shared by calls).
// Keeps pointers into `weights` (embedding tables, LayerNorm parameters), so the weights must
// outlive it; the projection weights are copied into oneDNN's layouts.
class PackedBert {
 public:
  // `precision` is that of the four GEMMs of every encoder layer; embeddings, LayerNorm,
  // attention and the classifier head stay fp32. FailedPrecondition when the weights do not
  // match the config (reference::check_weights); Unimplemented when this CPU cannot run
  // `precision`; Internal when oneDNN refuses a shape.
  static Result<std::unique_ptr<PackedBert>> create(const model::BertConfig& config,
                                                    const model::BertWeights& weights,
                                                    Precision precision = Precision::kFp32);

  // Checks the batch as the reference backend does (same codes and messages), then runs it on
  // `threads` OpenMP threads (>= 1). Returns num_pairs * num_labels logits in batch order.
  Result<std::vector<float>> run(const PackedBatch& batch, int threads);

  // Bytes the arena holds now (grows with the largest batch seen; for tests and logs).
  std::size_t workspace_bytes() const { return workspace_.capacity(); }

 private:
  struct Layer {
    Matmul qkv;               // query, key and value weights concatenated: one GEMM
    Matmul attention_output;  // BertSelfOutput.dense
    Matmul intermediate;      // BertIntermediate.dense with the activation fused
    Matmul output;            // BertOutput.dense
    LayerNormParams attention_norm;
    LayerNormParams output_norm;
  };

  PackedBert(const model::BertConfig& config, const model::BertWeights& weights,
             std::vector<Layer> layers, ClassifierHead head);
  void forward(const PackedBatch& batch, int threads, float* logits);
  // BertIntermediate (activation fused into its GEMM), then BertOutput's dense, on `rows` rows
  // of `attention`, into `out`. int8 reads the rows' levels from hidden_levels instead and
  // passes the intermediate through inner_levels; other precisions take both as null.
  void feed_forward(const Layer& layer, std::int64_t rows, const float* attention,
                    const QuantizedRows* hidden_levels, const QuantizedRows* inner_levels,
                    float* intermediate, float* out, void* scratchpad) const;
  // The largest scratch any matmul needs for `rows` token rows.
  std::size_t scratch_bytes(std::int64_t rows) const;

  model::BertConfig config_;
  const model::BertWeights* weights_;
  std::vector<Layer> layers_;
  ClassifierHead head_;
  std::size_t head_scratchpad_bytes_ = 0;  // the classifier head's (its matmuls are fp32)
  Workspace workspace_;
};

}  // namespace rerankd::backend::cpu
