#include "reference/tiny_bert.h"

namespace rerankd::backend::testing {

model::Tensor TensorStore::make(std::vector<std::int64_t> shape, std::vector<float> values) {
  buffers_.push_back(std::move(values));
  return model::Tensor{std::move(shape), buffers_.back()};
}

model::Tensor TensorStore::random(std::vector<std::int64_t> shape, float scale) {
  std::int64_t count = 1;
  for (const auto d : shape) count *= d;
  std::vector<float> values(static_cast<std::size_t>(count));
  for (float& value : values) {
    // splitmix64: good enough spread for test weights, same on every machine.
    state_ += 0x9e3779b97f4a7c15ull;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    const double unit = static_cast<double>(z >> 11) / 9007199254740992.0;  // [0, 1)
    value = static_cast<float>((2.0 * unit - 1.0) * scale);
  }
  return make(std::move(shape), std::move(values));
}

model::LinearWeights TensorStore::random_linear(std::int64_t out, std::int64_t in) {
  return {random({out, in}, 0.5f), random({out}, 0.1f)};
}

model::LayerNormWeights TensorStore::random_norm(std::int64_t width) {
  std::vector<float> gamma(static_cast<std::size_t>(width));
  for (std::size_t i = 0; i < gamma.size(); ++i) gamma[i] = 1.0f + 0.05f * static_cast<float>(i);
  return {make({width}, std::move(gamma)), random({width}, 0.1f)};
}

model::BertConfig tiny_config() {
  model::BertConfig config;
  config.architecture = "BertForSequenceClassification";
  config.vocab_size = 40;
  config.hidden_size = 8;
  config.num_hidden_layers = 2;
  config.num_attention_heads = 2;
  config.intermediate_size = 16;
  config.max_position_embeddings = 16;
  config.type_vocab_size = 2;
  config.layer_norm_eps = 1e-12f;
  config.hidden_act = model::HiddenAct::kGeluErf;
  config.num_labels = 2;
  return config;
}

void build_tiny_bert(const model::BertConfig& config, TinyBert& bert) {
  bert.config = config;
  const std::int64_t hidden = config.hidden_size;
  auto& w = bert.weights;
  auto& s = bert.store;
  w.word_embeddings = s.random({config.vocab_size, hidden}, 1.0f);
  w.position_embeddings = s.random({config.max_position_embeddings, hidden}, 0.5f);
  w.token_type_embeddings = s.random({config.type_vocab_size, hidden}, 0.5f);
  w.embedding_norm = s.random_norm(hidden);
  w.layers.clear();
  for (std::int64_t i = 0; i < config.num_hidden_layers; ++i) {
    model::EncoderLayerWeights layer;
    layer.query = s.random_linear(hidden, hidden);
    layer.key = s.random_linear(hidden, hidden);
    layer.value = s.random_linear(hidden, hidden);
    layer.attention_output = s.random_linear(hidden, hidden);
    layer.attention_norm = s.random_norm(hidden);
    layer.intermediate = s.random_linear(config.intermediate_size, hidden);
    layer.output = s.random_linear(hidden, config.intermediate_size);
    layer.output_norm = s.random_norm(hidden);
    w.layers.push_back(std::move(layer));
  }
  w.pooler = s.random_linear(hidden, hidden);
  w.classifier = s.random_linear(config.num_labels, hidden);
}

}  // namespace rerankd::backend::testing
