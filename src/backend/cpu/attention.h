// Padding-free multi-head self-attention over a packed batch: each (pair, head) attends over the
// pair's own tokens only, so there is no mask and no work on padding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace rerankd::backend::cpu {

struct PackedAttentionShape {
  std::int64_t num_heads = 0;  // head h owns columns [h * head_size, (h + 1) * head_size)
  std::int64_t head_size = 0;
  std::int64_t max_length = 0;  // longest pair; sizes the per-thread scratch
  // Only each pair's first query row ([CLS]), written to context row `pair` ([pairs, hidden]):
  // the last layer of a sequence classifier needs no other (the pooler reads [CLS] alone).
  bool cls_only = false;
};

// Floats of scratch one thread needs: K^T of one head plus one tile of score rows.
std::size_t attention_scratch_floats(const PackedAttentionShape& shape);

// qkv is [tokens, 3 * hidden] (each row: q, then k, then v, as the fused QKV matmul writes it);
// context is [tokens, hidden] ([pairs, hidden] with cls_only). Pair i is rows [cu_seqlens[i],
// cu_seqlens[i+1]). For each pair and head: context = softmax(q k^T / sqrt(head_size)) v, as HF's
// eager attention computes it once padded keys (masked to finfo.min) have weighed 0.
//
// (pair, head) items run in an OpenMP loop on at most `threads` threads; scratch holds
// threads x attention_scratch_floats(shape) floats.
void packed_attention(const float* qkv, std::span<const std::int32_t> cu_seqlens,
                      const PackedAttentionShape& shape, float* context, std::span<float> scratch,
                      int threads);

}  // namespace rerankd::backend::cpu
