#include "backend/reference/classifier_head.h"

#include <cmath>

#include "backend/reference/linear.h"

namespace rerankd::backend::reference {

void classifier_head(const model::BertWeights& weights, std::span<const float> cls,
                     std::span<float> pooled, std::span<float> logits) {
  linear(cls, 1, weights.pooler, pooled);
  for (float& value : pooled) value = std::tanh(value);
  linear(pooled, 1, weights.classifier, logits);
}

}  // namespace rerankd::backend::reference
