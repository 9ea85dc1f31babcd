// The sequence-classification head on a packed batch: each pair's [CLS] row (its first token)
// through BertPooler (tanh(dense)) and the classifier, as two small matmuls over all pairs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "backend/cpu/matmul.h"
#include "common/result.h"
#include "model/bert_weights.h"

namespace rerankd::backend::cpu {

// Each pair's [CLS] row (its first token) of the packed [tokens, width] rows, into
// cls [pairs, width].
void gather_cls_rows(const float* rows, std::span<const std::int32_t> cu_seqlens,
                     std::int64_t width, float* cls);

class ClassifierHead {
 public:
  // Copies the pooler and classifier weights (shapes already checked by check_weights).
  // threads: as Matmul::create's.
  static Result<ClassifierHead> create(const model::BertWeights& weights, int threads = 0);

  // hidden is the packed [tokens, hidden] final state; cls and pooled are [pairs, hidden]
  // scratch; logits receives [pairs, num_labels]. Throws dnnl::error as Matmul::run does.
  void run(const float* hidden, std::span<const std::int32_t> cu_seqlens, float* cls, float* pooled,
           float* logits, void* scratchpad) const;

  // The same from the [CLS] rows alone, [pairs, hidden], as a last layer run on them leaves them.
  void run_on_cls_rows(const float* cls, std::int64_t pairs, float* pooled, float* logits,
                       void* scratchpad) const;

  std::size_t scratchpad_bytes() const;
  // Whether run() works inside a parallel region (Matmul::runs_in_parallel_regions).
  bool runs_in_parallel_regions() const;

 private:
  ClassifierHead(Matmul pooler, Matmul classifier)
      : pooler_(std::move(pooler)), classifier_(std::move(classifier)) {}

  Matmul pooler_;      // tanh fused as the epilogue
  Matmul classifier_;  // dropout is the identity at inference
};

}  // namespace rerankd::backend::cpu
