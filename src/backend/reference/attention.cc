#include "backend/reference/attention.h"

#include <cassert>
#include <cmath>

#include "backend/reference/softmax.h"

namespace rerankd::backend::reference {

void self_attention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                    const AttentionShape& shape, std::span<float> scores,
                    std::span<float> context) {
  const std::int64_t length = shape.length;
  const std::int64_t head_size = shape.head_size;
  const std::int64_t width = shape.num_heads * head_size;
  assert(static_cast<std::int64_t>(q.size()) >= length * width);
  assert(static_cast<std::int64_t>(k.size()) >= length * width);
  assert(static_cast<std::int64_t>(v.size()) >= length * width);
  assert(static_cast<std::int64_t>(scores.size()) >= length);
  assert(static_cast<std::int64_t>(context.size()) >= length * width);
  // HF scales by head_size ** -0.5 (eager_attention_forward's `scaling`).
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_size));
  const std::span<float> row = scores.first(static_cast<std::size_t>(length));

  for (std::int64_t h = 0; h < shape.num_heads; ++h) {
    const std::int64_t offset = h * head_size;
    for (std::int64_t i = 0; i < length; ++i) {
      const float* q_i = q.data() + i * width + offset;
      for (std::int64_t j = 0; j < length; ++j) {
        const float* k_j = k.data() + j * width + offset;
        float dot = 0.0f;
        for (std::int64_t d = 0; d < head_size; ++d) dot += q_i[d] * k_j[d];
        row[j] = dot * scale;
      }
      softmax_in_place(row);

      float* out_i = context.data() + i * width + offset;
      for (std::int64_t d = 0; d < head_size; ++d) out_i[d] = 0.0f;
      for (std::int64_t j = 0; j < length; ++j) {
        const float* v_j = v.data() + j * width + offset;
        const float weight = row[j];
        for (std::int64_t d = 0; d < head_size; ++d) out_i[d] += weight * v_j[d];
      }
    }
  }
}

}  // namespace rerankd::backend::reference
