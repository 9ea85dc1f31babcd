#include "backend/cpu/embeddings.h"

#include "backend/target_clones.h"

namespace rerankd::backend::cpu {
namespace {

RERANKD_TARGET_CLONES("arch=x86-64-v4", "arch=x86-64-v3", "default") void
sum_embedding_row(const float* word, const float* type, const float* position, std::int64_t hidden,
                  float* row) {
  // Same order of additions as HF: (inputs_embeds + token_type_embeddings) + position.
#pragma omp simd
  for (std::int64_t i = 0; i < hidden; ++i) row[i] = (word[i] + type[i]) + position[i];
}

}  // namespace

void embed_packed(const EmbeddingTables& tables, std::span<const std::int32_t> input_ids,
                  std::span<const std::int32_t> token_type_ids,
                  std::span<const std::int32_t> cu_seqlens, float* out) {
  const std::int64_t hidden = tables.norm.width;
  const auto num_pairs = static_cast<std::int64_t>(cu_seqlens.size()) - 1;
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t pair = 0; pair < num_pairs; ++pair) {
    const std::int64_t begin = cu_seqlens[pair];
    const std::int64_t end = cu_seqlens[pair + 1];
    for (std::int64_t token = begin; token < end; ++token) {
      float* row = out + token * hidden;
      sum_embedding_row(tables.word + std::int64_t{input_ids[token]} * hidden,
                        tables.token_type + std::int64_t{token_type_ids[token]} * hidden,
                        tables.position + (token - begin) * hidden, hidden, row);
      add_layer_norm_row(row, nullptr, tables.norm);
    }
  }
}

}  // namespace rerankd::backend::cpu
