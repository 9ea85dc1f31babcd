// The sequence-classification head: BertPooler (tanh(dense(h[CLS]))), then the classifier
// linear layer (dropout is the identity at inference).
#pragma once

#include <span>

#include "model/bert_weights.h"

namespace rerankd::backend::reference {

// cls is the final hidden state of the pair's first token ([hidden]); pooled is [hidden]
// scratch; logits receives num_labels values.
void classifier_head(const model::BertWeights& weights, std::span<const float> cls,
                     std::span<float> pooled, std::span<float> logits);

}  // namespace rerankd::backend::reference
