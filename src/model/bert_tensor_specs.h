// The tensors a BERT sequence classifier checkpoint holds, with their shapes for a config. One
// list serves both the loader (shape checks) and the random-model writer (what to write), so the
// two can't drift apart.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/bert_config.h"

namespace rerankd::model {

// What a tensor is, which decides how the random-model writer initialises it.
enum class TensorRole {
  kEmbedding,
  kAttentionScoreWeight,  // query and key projections
  kLinearWeight,          // every other linear weight but the classifier's
  kBias,
  kNormGamma,
  kNormBeta,
  kClassifierWeight,
};

struct TensorSpec {
  // Name without the "bert." prefix as BertForSequenceClassification saves it
  // ("embeddings.word_embeddings.weight", "classifier.weight").
  std::string name;
  std::vector<std::int64_t> shape;
  TensorRole role;
  // True for tensors under BertModel (saved as "bert.<name>" by the classifier); false for the
  // classifier head, which BertForSequenceClassification saves without a prefix.
  bool in_encoder = true;
  std::string_view encoder_prefix = "bert.";  // the family's ("roberta." for XLM-R)
};

// In checkpoint order: embeddings, layers 0..n-1, head dense (BERT's pooler), head output.
std::vector<TensorSpec> bert_tensor_specs(const BertConfig& config);

// Name as written in a checkpoint: the encoder prefix + name for encoder tensors when
// `bert_prefix` (whatever the family's prefix is).
std::string checkpoint_name(const TensorSpec& spec, bool bert_prefix);

}  // namespace rerankd::model
