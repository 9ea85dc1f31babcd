// A batch of tokenized pairs packed end to end (text-embeddings-inference's flat batch):
// no padding crosses the backend interface; each backend pads or not as it likes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace rerankd::backend {

struct PackedBatch {
  std::vector<std::int32_t> input_ids;       // all pairs' tokens, end to end
  std::vector<std::int32_t> token_type_ids;  // same length as input_ids
  std::vector<std::int32_t> cu_seqlens{0};   // pair i is [cu_seqlens[i], cu_seqlens[i+1])
  std::int32_t max_length = 0;               // longest pair in the batch

  std::size_t num_pairs() const { return cu_seqlens.size() - 1; }
  std::size_t num_tokens() const { return input_ids.size(); }
  std::int32_t length(std::size_t pair) const { return cu_seqlens[pair + 1] - cu_seqlens[pair]; }

  void add(std::span<const std::int32_t> ids, std::span<const std::int32_t> type_ids) {
    input_ids.insert(input_ids.end(), ids.begin(), ids.end());
    token_type_ids.insert(token_type_ids.end(), type_ids.begin(), type_ids.end());
    const auto length = static_cast<std::int32_t>(ids.size());
    cu_seqlens.push_back(cu_seqlens.back() + length);
    if (length > max_length) max_length = length;
  }

  void clear() {
    input_ids.clear();
    token_type_ids.clear();
    cu_seqlens.assign(1, 0);
    max_length = 0;
  }
};

}  // namespace rerankd::backend
