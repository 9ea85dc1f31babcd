#include "backend/reference/softmax.h"

#include <algorithm>
#include <cmath>

namespace rerankd::backend::reference {

void softmax_in_place(std::span<float> row) {
  if (row.empty()) return;
  // Subtracting the maximum keeps every exp() in (0, 1]: no overflow, same result.
  const float max_value = *std::max_element(row.begin(), row.end());
  double sum = 0.0;
  for (float& value : row) {
    value = std::exp(value - max_value);
    sum += value;
  }
  const auto inv_sum = static_cast<float>(1.0 / sum);
  for (float& value : row) value *= inv_sum;
}

}  // namespace rerankd::backend::reference
