#include "engine/score_activation.h"

#include <cmath>

namespace rerankd::engine {

void apply_score_activation(model::ScoreActivation activation, std::span<float> logits) {
  switch (activation) {
    case model::ScoreActivation::kIdentity:
      return;
    case model::ScoreActivation::kSigmoid:
      for (float& value : logits) value = 1.0f / (1.0f + std::exp(-value));
      return;
  }
}

}  // namespace rerankd::engine
