// BERT's input embeddings: word + token type + position, then LayerNorm (HF BertEmbeddings).
#pragma once

#include <cstdint>
#include <span>

#include "model/bert_config.h"
#include "model/bert_weights.h"

namespace rerankd::backend::reference {

// Writes the [ids.size(), hidden] embeddings of one pair into out. Positions count from 0 for
// the pair, as HF's position_ids do for an unpadded (or right-padded) sequence. Ids are
// trusted to be in range (check_batch ran first).
void embed_pair(const model::BertConfig& config, const model::BertWeights& weights,
                std::span<const std::int32_t> ids, std::span<const std::int32_t> type_ids,
                std::span<float> out);

}  // namespace rerankd::backend::reference
