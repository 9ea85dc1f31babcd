#include "backend/reference/embeddings.h"

#include <cassert>

#include "backend/reference/layer_norm.h"

namespace rerankd::backend::reference {

void embed_pair(const model::BertConfig& config, const model::BertWeights& weights,
                std::span<const std::int32_t> ids, std::span<const std::int32_t> type_ids,
                std::span<float> out) {
  const std::int64_t hidden = config.hidden_size;
  const auto length = static_cast<std::int64_t>(ids.size());
  assert(type_ids.size() == ids.size());
  assert(static_cast<std::int64_t>(out.size()) >= length * hidden);
  const float* word_table = weights.word_embeddings.data.data();
  const float* type_table = weights.token_type_embeddings.data.data();
  const float* position_table = weights.position_embeddings.data.data();

  for (std::int64_t position = 0; position < length; ++position) {
    const float* word = word_table + static_cast<std::int64_t>(ids[position]) * hidden;
    const float* type = type_table + static_cast<std::int64_t>(type_ids[position]) * hidden;
    const float* where = position_table + position * hidden;
    float* row = out.data() + position * hidden;
    // Same order of additions as HF: (inputs_embeds + token_type_embeddings) + position.
    for (std::int64_t i = 0; i < hidden; ++i) row[i] = (word[i] + type[i]) + where[i];
  }
  layer_norm(out, length, weights.embedding_norm, config.layer_norm_eps);
}

}  // namespace rerankd::backend::reference
