#include "model/model_family.h"

#include <array>

namespace rerankd::model {
namespace {

constexpr ModelFamily kBert{
    .name = "bert",
    .model_type = "bert",
    .classifier_architecture = "BertForSequenceClassification",
    .encoder_prefix = "bert.",
    .positions_after_padding = false,
    .head_dense = "pooler.dense",
    .head_dense_in_encoder = true,
    .head_output = "classifier",
    .default_layer_norm_eps = 1e-12,
    .default_type_vocab_size = 2,
    .default_pad_token_id = 0,
};

constexpr ModelFamily kXlmRoberta{
    .name = "xlm-roberta",
    .model_type = "xlm-roberta",
    .classifier_architecture = "XLMRobertaForSequenceClassification",
    .encoder_prefix = "roberta.",
    .positions_after_padding = true,
    .head_dense = "classifier.dense",
    .head_dense_in_encoder = false,
    .head_output = "classifier.out_proj",
    .default_layer_norm_eps = 1e-5,
    .default_type_vocab_size = 1,
    .default_pad_token_id = 1,
};

struct Alias {
  std::string_view key;
  const ModelFamily* family;
};

// RoBERTa's classifier is XLM-R's graph (XLMRobertaForSequenceClassification subclasses it).
constexpr std::array<Alias, 4> kArchitectures = {{
    {"BertForSequenceClassification", &kBert},
    {"BertModel", &kBert},
    {"XLMRobertaForSequenceClassification", &kXlmRoberta},
    {"RobertaForSequenceClassification", &kXlmRoberta},
}};

constexpr std::array<Alias, 3> kModelTypes = {{
    {"bert", &kBert},
    {"xlm-roberta", &kXlmRoberta},
    {"roberta", &kXlmRoberta},
}};

template <std::size_t N>
const ModelFamily* lookup(const std::array<Alias, N>& table, std::string_view key) {
  for (const Alias& alias : table) {
    if (alias.key == key) return alias.family;
  }
  return nullptr;
}

}  // namespace

const ModelFamily& bert_family() { return kBert; }
const ModelFamily& xlm_roberta_family() { return kXlmRoberta; }

const ModelFamily* family_of_architecture(std::string_view architecture) {
  return lookup(kArchitectures, architecture);
}

const ModelFamily* family_of_model_type(std::string_view model_type) {
  return lookup(kModelTypes, model_type);
}

const ModelFamily* family_named(std::string_view name) {
  if (name == kBert.name) return &kBert;
  if (name == kXlmRoberta.name) return &kXlmRoberta;
  return nullptr;
}

}  // namespace rerankd::model
