// A model family as data: what differs between BERT and (XLM-)RoBERTa cross-encoders is where
// their tensors live, where position ids start and what the head is called. The forward pass is
// the same, so the backends see one BertWeights either way; a new family of the same graph is a
// table entry here, not a fork of every backend.
#pragma once

#include <cstdint>
#include <string_view>

namespace rerankd::model {

struct ModelFamily {
  std::string_view name;                     // "bert", "xlm-roberta" (make-model --family)
  std::string_view model_type;               // config.json model_type
  std::string_view classifier_architecture;  // what make-model writes in "architectures"
  std::string_view encoder_prefix;           // "bert." / "roberta.": encoder tensors' prefix
  // RoBERTa numbers positions from pad_token_id + 1 (create_position_ids_from_input_ids), so
  // the first pad_token_id + 1 rows of its position table are never used.
  bool positions_after_padding = false;
  // The head: dense + tanh on the first token, then the output projection. BERT calls the dense
  // layer the pooler (inside the encoder); RoBERTa's classification head holds both.
  std::string_view head_dense;  // "pooler.dense" / "classifier.dense"
  bool head_dense_in_encoder = true;
  std::string_view head_output;  // "classifier" / "classifier.out_proj"
  // transformers' config defaults where they differ.
  double default_layer_norm_eps = 1e-12;
  std::int64_t default_type_vocab_size = 2;
  std::int64_t default_pad_token_id = 0;
};

const ModelFamily& bert_family();
const ModelFamily& xlm_roberta_family();

// The family of a config.json "architectures" entry, "model_type", or make-model's --family;
// nullptr when rerankd has none.
const ModelFamily* family_of_architecture(std::string_view architecture);
const ModelFamily* family_of_model_type(std::string_view model_type);
const ModelFamily* family_named(std::string_view name);

}  // namespace rerankd::model
