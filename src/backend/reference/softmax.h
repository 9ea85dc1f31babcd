// Numerically stable softmax of one row.
#pragma once

#include <span>

namespace rerankd::backend::reference {

// row <- exp(row - max) / sum(exp(row - max)), in place. An empty row is left alone.
void softmax_in_place(std::span<float> row);

}  // namespace rerankd::backend::reference
