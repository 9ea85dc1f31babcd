#include "backend/cpu/classifier_head.h"

#include <algorithm>
#include <cstring>

namespace rerankd::backend::cpu {

Result<ClassifierHead> ClassifierHead::create(const model::BertWeights& weights, int threads) {
  const auto& pooler = weights.pooler;
  const auto& classifier = weights.classifier;
  RERANKD_ASSIGN_OR_RETURN(
      auto pooler_matmul,
      Matmul::create(pooler.weight.data, pooler.bias.data, pooler.weight.dim(0),
                     pooler.weight.dim(1), Epilogue::kTanh, Precision::kFp32, kChunkRows, threads));
  RERANKD_ASSIGN_OR_RETURN(auto classifier_matmul,
                           Matmul::create(classifier.weight.data, classifier.bias.data,
                                          classifier.weight.dim(0), classifier.weight.dim(1),
                                          Epilogue::kNone, Precision::kFp32, kChunkRows, threads));
  return ClassifierHead(std::move(pooler_matmul), std::move(classifier_matmul));
}

void gather_cls_rows(const float* rows, std::span<const std::int32_t> cu_seqlens,
                     std::int64_t width, float* cls) {
  const auto pairs = static_cast<std::int64_t>(cu_seqlens.size()) - 1;
  for (std::int64_t pair = 0; pair < pairs; ++pair) {
    std::memcpy(cls + pair * width, rows + std::int64_t{cu_seqlens[pair]} * width,
                static_cast<std::size_t>(width) * sizeof(float));
  }
}

void ClassifierHead::run(const float* hidden, std::span<const std::int32_t> cu_seqlens, float* cls,
                         float* pooled, float* logits, void* scratchpad) const {
  gather_cls_rows(hidden, cu_seqlens, pooler_.in(), cls);
  run_on_cls_rows(cls, static_cast<std::int64_t>(cu_seqlens.size()) - 1, pooled, logits,
                  scratchpad);
}

void ClassifierHead::run_on_cls_rows(const float* cls, std::int64_t pairs, float* pooled,
                                     float* logits, void* scratchpad) const {
  pooler_.run(cls, pairs, pooled, scratchpad);
  classifier_.run(pooled, pairs, logits, scratchpad);
}

std::size_t ClassifierHead::scratchpad_bytes() const {
  return std::max(pooler_.scratchpad_bytes(), classifier_.scratchpad_bytes());
}

bool ClassifierHead::runs_in_parallel_regions() const {
  return pooler_.runs_in_parallel_regions() && classifier_.runs_in_parallel_regions();
}

}  // namespace rerankd::backend::cpu
