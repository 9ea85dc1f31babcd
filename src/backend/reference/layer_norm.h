// LayerNorm over the last dimension, as torch.nn.LayerNorm computes it (biased variance).
#pragma once

#include <cstdint>
#include <span>

#include "model/bert_weights.h"

namespace rerankd::backend::reference {

// Normalizes each of the `rows` rows of x ([rows, width], width = gamma's size) in place:
// (x - mean) / sqrt(var + eps) * gamma + beta.
void layer_norm(std::span<float> x, std::int64_t rows, const model::LayerNormWeights& weights,
                float eps);

// x += residual, element by element (the skip connection before each LayerNorm).
void add_in_place(std::span<float> x, std::span<const float> residual);

}  // namespace rerankd::backend::reference
