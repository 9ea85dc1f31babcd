#include "backend/reference/encoder_layer.h"

#include "backend/reference/activation.h"
#include "backend/reference/attention.h"
#include "backend/reference/layer_norm.h"
#include "backend/reference/linear.h"

namespace rerankd::backend::reference {

void encoder_layer(const model::BertConfig& config, const model::EncoderLayerWeights& layer,
                   std::int64_t length, PairScratch& s) {
  const float eps = config.layer_norm_eps;

  // BertSelfAttention.
  linear(s.hidden, length, layer.query, s.query);
  linear(s.hidden, length, layer.key, s.key);
  linear(s.hidden, length, layer.value, s.value);
  const AttentionShape shape{length, config.num_attention_heads, config.head_size()};
  self_attention(s.query, s.key, s.value, shape, s.scores, s.context);

  // BertSelfOutput: LayerNorm(dense(context) + input).
  linear(s.context, length, layer.attention_output, s.attention);
  add_in_place(s.attention, s.hidden);
  layer_norm(s.attention, length, layer.attention_norm, eps);

  // BertIntermediate: act(dense(attention)).
  linear(s.attention, length, layer.intermediate, s.intermediate);
  apply_activation(s.intermediate, config.hidden_act);

  // BertOutput: LayerNorm(dense(intermediate) + attention). The layer's input is no longer
  // needed, so the result overwrites it.
  linear(s.intermediate, length, layer.output, s.hidden);
  add_in_place(s.hidden, s.attention);
  layer_norm(s.hidden, length, layer.output_norm, eps);
}

}  // namespace rerankd::backend::reference
