// The reference BERT cross-encoder forward pass as free functions over a config, its weights and
// a packed batch, so tests can run it on small weights built in memory.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "backend/packed_batch.h"
#include "backend/reference/pair_scratch.h"
#include "common/result.h"
#include "model/bert_config.h"
#include "model/bert_weights.h"

namespace rerankd::backend::reference {

// One pair, already checked: writes config.num_labels logits.
void forward_pair(const model::BertConfig& config, const model::BertWeights& weights,
                  std::span<const std::int32_t> ids, std::span<const std::int32_t> type_ids,
                  PairScratch& scratch, std::span<float> logits);

// Checks the batch (check_batch), then runs its pairs on up to `threads` threads (0 = one per
// hardware thread), each pair independently of the others. Returns num_pairs * num_labels
// logits in batch order. The weights must match the config (check_weights).
Result<std::vector<float>> forward_batch(const model::BertConfig& config,
                                         const model::BertWeights& weights,
                                         const PackedBatch& batch, int threads);

}  // namespace rerankd::backend::reference
