// A small BERT classifier built in memory from seeded values, so the forward pass can be tested
// without any file or the model module's loader.
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <vector>

#include "model/bert_config.h"
#include "model/bert_weights.h"

namespace rerankd::backend::testing {

// Owns the buffers its tensors view; not copyable (the views would dangle).
class TensorStore {
 public:
  TensorStore() = default;
  TensorStore(const TensorStore&) = delete;
  TensorStore& operator=(const TensorStore&) = delete;

  model::Tensor make(std::vector<std::int64_t> shape, std::vector<float> values);
  // Values in [-scale, scale) from a fixed sequence (changes with every call).
  model::Tensor random(std::vector<std::int64_t> shape, float scale);
  model::LinearWeights random_linear(std::int64_t out, std::int64_t in);
  model::LayerNormWeights random_norm(std::int64_t width);

 private:
  std::deque<std::vector<float>> buffers_;
  std::uint64_t state_ = 0x9e3779b97f4a7c15ull;
};

struct TinyBert {
  model::BertConfig config;
  model::BertWeights weights;
  TensorStore store;
};

// vocab 40, hidden 8, 2 heads, 2 layers, intermediate 16, 16 positions, 2 token types,
// 2 labels, erf GELU.
model::BertConfig tiny_config();

// Fills `bert` (config given, weights random) in place, as TinyBert cannot be moved.
void build_tiny_bert(const model::BertConfig& config, TinyBert& bert);

}  // namespace rerankd::backend::testing
