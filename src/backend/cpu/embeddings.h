// BERT's input embeddings over a packed batch, fused: word + token type + position summed into
// each row, then LayerNorm on the row while it is still in L1 (HF BertEmbeddings).
#pragma once

#include <cstdint>
#include <span>

#include "backend/cpu/layer_norm.h"

namespace rerankd::backend::cpu {

struct EmbeddingTables {
  const float* word = nullptr;        // [vocab, hidden]
  const float* position = nullptr;    // [max_positions, hidden]
  const float* token_type = nullptr;  // [type_vocab, hidden]
  LayerNormParams norm;               // width = hidden
};

// out is [tokens, hidden]. Positions count from 0 within each pair (cu_seqlens), as HF's
// position_ids do for an unpadded sequence. Ids must be in range (check_batch ran first).
void embed_packed(const EmbeddingTables& tables, std::span<const std::int32_t> input_ids,
                  std::span<const std::int32_t> token_type_ids,
                  std::span<const std::int32_t> cu_seqlens, float* out);

}  // namespace rerankd::backend::cpu
