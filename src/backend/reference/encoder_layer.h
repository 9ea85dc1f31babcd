// One BERT encoder layer (HF BertLayer): self-attention, then the feed-forward block, each
// followed by a residual connection and LayerNorm (post-norm).
#pragma once

#include <cstdint>

#include "backend/reference/pair_scratch.h"
#include "model/bert_config.h"
#include "model/bert_weights.h"

namespace rerankd::backend::reference {

// Transforms scratch.hidden ([length, hidden]) in place; scratch must be sized for `length`.
void encoder_layer(const model::BertConfig& config, const model::EncoderLayerWeights& layer,
                   std::int64_t length, PairScratch& scratch);

}  // namespace rerankd::backend::reference
