// Multi-head scaled dot-product self-attention over one pair.
#pragma once

#include <cstdint>
#include <span>

namespace rerankd::backend::reference {

struct AttentionShape {
  std::int64_t length = 0;     // tokens in the pair
  std::int64_t num_heads = 0;  // head h owns columns [h * head_size, (h + 1) * head_size)
  std::int64_t head_size = 0;
};

// q, k, v and context are [length, num_heads * head_size], row-major; scores is scratch of at
// least `length` floats. For each head: context = softmax(q k^T / sqrt(head_size)) v.
//
// Each pair attends only over its own tokens. Hugging Face pads a batch and adds a mask of
// finfo(float32).min to the scores of padded keys (modeling_bert.py, via
// get_extended_attention_mask / the sdpa mask), so after softmax those keys weigh exactly 0:
// attending over the unpadded pair alone is the same computation.
void self_attention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                    const AttentionShape& shape, std::span<float> scores, std::span<float> context);

}  // namespace rerankd::backend::reference
