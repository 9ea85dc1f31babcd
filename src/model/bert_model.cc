#include "model/bert_model.h"

#include <utility>

#include "model/bert_tensor_specs.h"
#include "model/weight_storage.h"

namespace rerankd::model {
namespace {

// Hands out the tensors of bert_tensor_specs() in order, so assembly below reads like the list.
class SpecCursor {
 public:
  SpecCursor(const BertConfig& config, WeightStorage& storage)
      : specs_(bert_tensor_specs(config)), storage_(storage) {}

  Result<Tensor> next(std::string_view expected_name) {
    if (index_ >= specs_.size() || !specs_[index_].name.ends_with(expected_name)) {
      return internal_error("tensor list out of step at \"" + std::string(expected_name) + "\"");
    }
    return storage_.tensor(specs_[index_++]);
  }

 private:
  std::vector<TensorSpec> specs_;
  std::size_t index_ = 0;
  WeightStorage& storage_;
};

Status read_linear(SpecCursor& cursor, std::string_view prefix, LinearWeights& out) {
  RERANKD_ASSIGN_OR_RETURN(out.weight, cursor.next(std::string(prefix) + ".weight"));
  RERANKD_ASSIGN_OR_RETURN(out.bias, cursor.next(std::string(prefix) + ".bias"));
  return Status::ok_status();
}

Status read_norm(SpecCursor& cursor, std::string_view prefix, LayerNormWeights& out) {
  RERANKD_ASSIGN_OR_RETURN(out.gamma, cursor.next(std::string(prefix) + ".weight"));
  RERANKD_ASSIGN_OR_RETURN(out.beta, cursor.next(std::string(prefix) + ".bias"));
  return Status::ok_status();
}

// Everything below is sized from config.json, so a corrupt num_hidden_layers (a billion) would
// build a tensor list and layers for weights the checkpoint cannot have: it is checked against
// the checkpoint first. (Fewer layers than the checkpoint load as in transformers, which leaves
// the rest unused.)
Status check_layer_count(const BertConfig& config, const WeightStorage& storage) {
  const std::int64_t layers = storage.encoder_layer_count();
  if (config.num_hidden_layers <= layers) return Status::ok_status();
  const std::string first_missing = std::string(config.family->encoder_prefix) + "encoder.layer." +
                                    std::to_string(layers) + ".attention.self.query.weight";
  return not_found(storage.checkpoint_name() + ": config.json says num_hidden_layers " +
                   std::to_string(config.num_hidden_layers) + ", but the checkpoint has " +
                   std::to_string(layers) + " encoder layers (missing tensor \"" + first_missing +
                   "\")");
}

Status read_weights(const BertConfig& config, WeightStorage& storage, BertWeights& weights) {
  RERANKD_RETURN_IF_ERROR(check_layer_count(config, storage));
  SpecCursor cursor(config, storage);
  RERANKD_ASSIGN_OR_RETURN(weights.word_embeddings, cursor.next("word_embeddings.weight"));
  RERANKD_ASSIGN_OR_RETURN(weights.position_embeddings, cursor.next("position_embeddings.weight"));
  // The backends index positions from 0; RoBERTa's start at pad_token_id + 1, so they see the
  // table from that row on (and the sequence limit shrinks by as much).
  const std::int64_t offset = config.position_offset();
  if (offset > 0) {
    Tensor& positions = weights.position_embeddings;
    positions.data = positions.data.subspan(static_cast<std::size_t>(offset * config.hidden_size));
    positions.shape[0] -= offset;
  }
  RERANKD_ASSIGN_OR_RETURN(weights.token_type_embeddings,
                           cursor.next("token_type_embeddings.weight"));
  RERANKD_RETURN_IF_ERROR(read_norm(cursor, "embeddings.LayerNorm", weights.embedding_norm));
  weights.layers.resize(static_cast<std::size_t>(config.num_hidden_layers));
  for (auto& layer : weights.layers) {
    RERANKD_RETURN_IF_ERROR(read_linear(cursor, "attention.self.query", layer.query));
    RERANKD_RETURN_IF_ERROR(read_linear(cursor, "attention.self.key", layer.key));
    RERANKD_RETURN_IF_ERROR(read_linear(cursor, "attention.self.value", layer.value));
    RERANKD_RETURN_IF_ERROR(read_linear(cursor, "attention.output.dense", layer.attention_output));
    RERANKD_RETURN_IF_ERROR(read_norm(cursor, "attention.output.LayerNorm", layer.attention_norm));
    RERANKD_RETURN_IF_ERROR(read_linear(cursor, "intermediate.dense", layer.intermediate));
    RERANKD_RETURN_IF_ERROR(read_linear(cursor, "output.dense", layer.output));
    RERANKD_RETURN_IF_ERROR(read_norm(cursor, "output.LayerNorm", layer.output_norm));
  }
  // BertForSequenceClassification always builds its pooler (add_pooling_layer=True), so a
  // checkpoint without one is not a sequence classifier we can reproduce.
  RERANKD_RETURN_IF_ERROR(read_linear(cursor, config.family->head_dense, weights.pooler));
  Status classifier = read_linear(cursor, config.family->head_output, weights.classifier);
  if (!classifier.ok() && config.architecture == "BertModel" &&
      classifier.code() == StatusCode::kNotFound) {
    return classifier.with_context(
        "config.json names BertModel, which rerankd loads only with the classifier head of a "
        "sequence classifier in the checkpoint");
  }
  return classifier;
}

}  // namespace

BertModel::~BertModel() = default;

Result<std::shared_ptr<const BertModel>> BertModel::load(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return not_found(dir.string() + ": model directory does not exist");
  }
  RERANKD_ASSIGN_OR_RETURN(BertConfig config, load_bert_config(dir));
  RERANKD_ASSIGN_OR_RETURN(std::unique_ptr<WeightStorage> storage, WeightStorage::open(dir));
  std::shared_ptr<BertModel> model(new BertModel());
  RERANKD_RETURN_IF_ERROR(read_weights(config, *storage, model->weights_));
  model->config_ = std::move(config);
  model->directory_ = dir;
  model->checkpoint_description_ = storage->description();
  model->storage_ = std::move(storage);
  return std::shared_ptr<const BertModel>(std::move(model));
}

}  // namespace rerankd::model
