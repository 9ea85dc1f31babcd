#include "backend/reference/input_checks.h"

#include <cstdint>
#include <string>
#include <vector>

namespace rerankd::backend::reference {
namespace {

std::string str(std::int64_t value) { return std::to_string(value); }

Status check_shape(const model::Tensor& tensor, const std::vector<std::int64_t>& expected,
                   const std::string& name) {
  if (tensor.shape != expected) {
    return failed_precondition("tensor " + name + " has shape " +
                               model::shape_to_string(tensor.shape) + ", expected " +
                               model::shape_to_string(expected));
  }
  if (static_cast<std::int64_t>(tensor.data.size()) != tensor.numel()) {
    return failed_precondition("tensor " + name + " holds " +
                               str(std::int64_t(tensor.data.size())) + " values, its shape " +
                               model::shape_to_string(tensor.shape) + " needs " +
                               str(tensor.numel()));
  }
  return {};
}

Status check_linear(const model::LinearWeights& linear, std::int64_t out, std::int64_t in,
                    const std::string& name) {
  RERANKD_RETURN_IF_ERROR(check_shape(linear.weight, {out, in}, name + ".weight"));
  return check_shape(linear.bias, {out}, name + ".bias");
}

Status check_norm(const model::LayerNormWeights& norm, std::int64_t width,
                  const std::string& name) {
  RERANKD_RETURN_IF_ERROR(check_shape(norm.gamma, {width}, name + ".weight"));
  return check_shape(norm.beta, {width}, name + ".bias");
}

}  // namespace

Status check_batch(const model::BertConfig& config, const PackedBatch& batch) {
  if (batch.cu_seqlens.empty() || batch.cu_seqlens.front() != 0) {
    return invalid_argument("packed batch: cu_seqlens must start with 0");
  }
  if (batch.token_type_ids.size() != batch.input_ids.size()) {
    return invalid_argument("packed batch: " + str(std::int64_t(batch.input_ids.size())) +
                            " input ids but " + str(std::int64_t(batch.token_type_ids.size())) +
                            " token type ids");
  }
  if (batch.cu_seqlens.back() != static_cast<std::int64_t>(batch.input_ids.size())) {
    return invalid_argument("packed batch: cu_seqlens ends at " + str(batch.cu_seqlens.back()) +
                            " but there are " + str(std::int64_t(batch.input_ids.size())) +
                            " tokens");
  }
  for (std::size_t pair = 0; pair < batch.num_pairs(); ++pair) {
    const std::int64_t begin = batch.cu_seqlens[pair];
    const std::int64_t length = batch.length(pair);
    if (length <= 0) {
      return invalid_argument("packed batch: pair " + str(std::int64_t(pair)) + " has length " +
                              str(length) + "; every pair needs at least its [CLS] token");
    }
    if (length > config.max_sequence_length()) {
      return out_of_range("pair " + str(std::int64_t(pair)) + " has " + str(length) +
                          " tokens, more than the model's limit of " +
                          str(config.max_sequence_length()) + " (max_position_embeddings " +
                          str(config.max_position_embeddings) + ")");
    }
    for (std::int64_t position = 0; position < length; ++position) {
      const std::int64_t id = batch.input_ids[begin + position];
      const std::int64_t type_id = batch.token_type_ids[begin + position];
      if (id < 0 || id >= config.vocab_size) {
        return invalid_argument("pair " + str(std::int64_t(pair)) + " position " + str(position) +
                                ": token id " + str(id) + " is outside the vocabulary [0, " +
                                str(config.vocab_size) + ")");
      }
      if (type_id < 0 || type_id >= config.type_vocab_size) {
        return invalid_argument("pair " + str(std::int64_t(pair)) + " position " + str(position) +
                                ": token type id " + str(type_id) + " is outside [0, " +
                                str(config.type_vocab_size) + ")");
      }
    }
  }
  return {};
}

Status check_weights(const model::BertConfig& config, const model::BertWeights& weights) {
  const std::int64_t hidden = config.hidden_size;
  const std::int64_t inner = config.intermediate_size;
  if (hidden <= 0 || config.num_attention_heads <= 0 || hidden % config.num_attention_heads != 0) {
    return failed_precondition("hidden_size " + str(hidden) +
                               " is not a positive multiple of num_attention_heads " +
                               str(config.num_attention_heads));
  }
  if (config.num_labels <= 0) {
    return failed_precondition("num_labels " + str(config.num_labels) + " is not positive");
  }
  RERANKD_RETURN_IF_ERROR(
      check_shape(weights.word_embeddings, {config.vocab_size, hidden}, "word_embeddings"));
  RERANKD_RETURN_IF_ERROR(check_shape(
      weights.position_embeddings, {config.max_sequence_length(), hidden}, "position_embeddings"));
  RERANKD_RETURN_IF_ERROR(check_shape(weights.token_type_embeddings,
                                      {config.type_vocab_size, hidden}, "token_type_embeddings"));
  RERANKD_RETURN_IF_ERROR(check_norm(weights.embedding_norm, hidden, "embeddings.LayerNorm"));
  if (static_cast<std::int64_t>(weights.layers.size()) != config.num_hidden_layers) {
    return failed_precondition(str(std::int64_t(weights.layers.size())) +
                               " encoder layers loaded, config says num_hidden_layers " +
                               str(config.num_hidden_layers));
  }
  for (std::size_t i = 0; i < weights.layers.size(); ++i) {
    const auto& layer = weights.layers[i];
    const std::string name = "encoder.layer." + std::to_string(i);
    RERANKD_RETURN_IF_ERROR(check_linear(layer.query, hidden, hidden, name + ".query"));
    RERANKD_RETURN_IF_ERROR(check_linear(layer.key, hidden, hidden, name + ".key"));
    RERANKD_RETURN_IF_ERROR(check_linear(layer.value, hidden, hidden, name + ".value"));
    RERANKD_RETURN_IF_ERROR(
        check_linear(layer.attention_output, hidden, hidden, name + ".attention.output.dense"));
    RERANKD_RETURN_IF_ERROR(
        check_norm(layer.attention_norm, hidden, name + ".attention.output.LayerNorm"));
    RERANKD_RETURN_IF_ERROR(
        check_linear(layer.intermediate, inner, hidden, name + ".intermediate.dense"));
    RERANKD_RETURN_IF_ERROR(check_linear(layer.output, hidden, inner, name + ".output.dense"));
    RERANKD_RETURN_IF_ERROR(check_norm(layer.output_norm, hidden, name + ".output.LayerNorm"));
  }
  RERANKD_RETURN_IF_ERROR(check_linear(weights.pooler, hidden, hidden, "pooler.dense"));
  return check_linear(weights.classifier, config.num_labels, hidden, "classifier");
}

}  // namespace rerankd::backend::reference
