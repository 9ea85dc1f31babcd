#include "model/bert_tensor_specs.h"

namespace rerankd::model {
namespace {

void add_linear(std::vector<TensorSpec>& specs, const std::string& prefix, std::int64_t out,
                std::int64_t in, TensorRole weight_role = TensorRole::kLinearWeight,
                bool in_encoder = true) {
  specs.push_back({prefix + ".weight", {out, in}, weight_role, in_encoder});
  specs.push_back({prefix + ".bias", {out}, TensorRole::kBias, in_encoder});
}

void add_norm(std::vector<TensorSpec>& specs, const std::string& prefix, std::int64_t hidden) {
  specs.push_back({prefix + ".weight", {hidden}, TensorRole::kNormGamma, true});
  specs.push_back({prefix + ".bias", {hidden}, TensorRole::kNormBeta, true});
}

}  // namespace

std::vector<TensorSpec> bert_tensor_specs(const BertConfig& config) {
  const std::int64_t hidden = config.hidden_size;
  std::vector<TensorSpec> specs;
  specs.push_back({"embeddings.word_embeddings.weight",
                   {config.vocab_size, hidden},
                   TensorRole::kEmbedding,
                   true});
  specs.push_back({"embeddings.position_embeddings.weight",
                   {config.max_position_embeddings, hidden},
                   TensorRole::kEmbedding,
                   true});
  specs.push_back({"embeddings.token_type_embeddings.weight",
                   {config.type_vocab_size, hidden},
                   TensorRole::kEmbedding,
                   true});
  add_norm(specs, "embeddings.LayerNorm", hidden);
  for (std::int64_t i = 0; i < config.num_hidden_layers; ++i) {
    const std::string layer = "encoder.layer." + std::to_string(i);
    add_linear(specs, layer + ".attention.self.query", hidden, hidden,
               TensorRole::kAttentionScoreWeight);
    add_linear(specs, layer + ".attention.self.key", hidden, hidden,
               TensorRole::kAttentionScoreWeight);
    add_linear(specs, layer + ".attention.self.value", hidden, hidden);
    add_linear(specs, layer + ".attention.output.dense", hidden, hidden);
    add_norm(specs, layer + ".attention.output.LayerNorm", hidden);
    add_linear(specs, layer + ".intermediate.dense", config.intermediate_size, hidden);
    add_linear(specs, layer + ".output.dense", hidden, config.intermediate_size);
    add_norm(specs, layer + ".output.LayerNorm", hidden);
  }
  const ModelFamily& family = *config.family;
  add_linear(specs, std::string(family.head_dense), hidden, hidden, TensorRole::kLinearWeight,
             family.head_dense_in_encoder);
  add_linear(specs, std::string(family.head_output), config.num_labels, hidden,
             TensorRole::kClassifierWeight, /*in_encoder=*/false);
  for (TensorSpec& spec : specs) spec.encoder_prefix = family.encoder_prefix;
  return specs;
}

std::string checkpoint_name(const TensorSpec& spec, bool bert_prefix) {
  return (bert_prefix && spec.in_encoder) ? std::string(spec.encoder_prefix) + spec.name
                                          : spec.name;
}

}  // namespace rerankd::model
