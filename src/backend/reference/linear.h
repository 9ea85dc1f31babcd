// y = x W^T + b, the nn.Linear of every projection in BERT.
#pragma once

#include <cstdint>
#include <span>

#include "model/bert_weights.h"

namespace rerankd::backend::reference {

// x is [rows, in] and y is [rows, out], both row-major; W is [out, in] as PyTorch stores it, so
// each output is the dot product of an x row with a W row (no transpose needed). y must not
// alias x.
void linear(std::span<const float> x, std::int64_t rows, const model::LinearWeights& weights,
            std::span<float> y);

}  // namespace rerankd::backend::reference
