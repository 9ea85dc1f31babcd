// Activation buffers for one pair's forward pass, reused from pair to pair by one thread.
#pragma once

#include <cstdint>
#include <vector>

#include "model/bert_config.h"

namespace rerankd::backend::reference {

// Not thread-safe: one per worker thread. Buffers only grow, so after the longest pair a
// thread has seen, a forward pass allocates nothing.
struct PairScratch {
  std::vector<float> hidden;        // [length, hidden]: the running hidden state
  std::vector<float> query;         // [length, hidden]
  std::vector<float> key;           // [length, hidden]
  std::vector<float> value;         // [length, hidden]
  std::vector<float> context;       // [length, hidden]: attention output before its dense
  std::vector<float> attention;     // [length, hidden]: after dense + residual + LayerNorm
  std::vector<float> intermediate;  // [length, intermediate]
  std::vector<float> scores;        // [length]: one row of attention scores
  std::vector<float> pooled;        // [hidden]

  void resize_for(const model::BertConfig& config, std::int64_t length) {
    const auto tokens = static_cast<std::size_t>(length);
    const auto hidden_size = static_cast<std::size_t>(config.hidden_size);
    for (auto* buffer : {&hidden, &query, &key, &value, &context, &attention}) {
      buffer->resize(tokens * hidden_size);
    }
    intermediate.resize(tokens * static_cast<std::size_t>(config.intermediate_size));
    scores.resize(tokens);
    pooled.resize(hidden_size);
  }
};

}  // namespace rerankd::backend::reference
