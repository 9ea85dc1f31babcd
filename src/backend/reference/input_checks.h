// What the reference forward pass refuses before touching any weight: malformed batches, pairs
// longer than the position table, token ids outside the embedding tables, and weights whose
// shapes disagree with the config. These make bad input an error, never an out-of-bounds read.
#pragma once

#include "backend/packed_batch.h"
#include "common/status.h"
#include "model/bert_config.h"
#include "model/bert_weights.h"

namespace rerankd::backend::reference {

// InvalidArgument for inconsistent sizes/offsets, an empty pair, or an id / token type id out of
// range (naming the pair, position and value); OutOfRange for a pair longer than
// max_position_embeddings (naming both lengths).
Status check_batch(const model::BertConfig& config, const PackedBatch& batch);

// FailedPrecondition naming the first tensor whose shape is not what `config` implies.
Status check_weights(const model::BertConfig& config, const model::BertWeights& weights);

}  // namespace rerankd::backend::reference
