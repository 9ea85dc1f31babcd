// Turning logits into scores the way sentence-transformers' CrossEncoder does.
#pragma once

#include <span>

#include "model/bert_config.h"

namespace rerankd::engine {

// Whether a caller wants activated scores or the raw logits (`--raw-scores`, `raw_scores`).
enum class ScoreMode { kActivated, kRaw };

// Applies `activation` in place (sigmoid: 1 / (1 + e^-x); identity: nothing).
void apply_score_activation(model::ScoreActivation activation, std::span<float> logits);

}  // namespace rerankd::engine
