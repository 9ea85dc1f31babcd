// The parts of a Hugging Face BERT config.json that the forward pass needs, validated.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/model_family.h"

namespace rerankd::model {

enum class HiddenAct {
  kGeluErf,   // "gelu": 0.5 x (1 + erf(x / sqrt 2))
  kGeluTanh,  // "gelu_new", "gelu_pytorch_tanh", "gelu_fast": the tanh approximation
  kRelu,      // "relu"
};

// How a logit becomes a score, as sentence-transformers' CrossEncoder resolves it.
enum class ScoreActivation { kIdentity, kSigmoid };

// The config of a BERT-graph cross-encoder: BERT itself, or (XLM-)RoBERTa, which `family` says.
struct BertConfig {
  std::string architecture;  // e.g. "BertForSequenceClassification"
  const ModelFamily* family = &bert_family();
  std::int64_t vocab_size = 0;
  std::int64_t hidden_size = 0;
  std::int64_t num_hidden_layers = 0;
  std::int64_t num_attention_heads = 0;
  std::int64_t intermediate_size = 0;
  std::int64_t max_position_embeddings = 0;
  std::int64_t type_vocab_size = 0;
  float layer_norm_eps = 1e-12f;
  HiddenAct hidden_act = HiddenAct::kGeluErf;
  std::int64_t num_labels = 1;
  // Label i's name from id2label, "LABEL_i" where it names none (transformers' default).
  std::vector<std::string> labels;
  std::int64_t pad_token_id = 0;
  ScoreActivation score_activation = ScoreActivation::kSigmoid;
  // Which key decided score_activation, e.g. "config_sentence_transformers.json activation_fn".
  std::string score_activation_source;
  // True when the model was written by rerankd's random-model generator (config key
  // "rerankd_random_weights"): its scores mean nothing and every front end says so.
  bool random_weights = false;

  std::int64_t head_size() const { return hidden_size / num_attention_heads; }
  // Rows of the checkpoint's position table before the first one a token uses (RoBERTa:
  // pad_token_id + 1), and so the longest sequence the model takes: 512 for BERT, 8,192 for
  // bge-reranker-v2-m3's 8,194 positions.
  std::int64_t position_offset() const {
    return family->positions_after_padding ? pad_token_id + 1 : 0;
  }
  std::int64_t max_sequence_length() const { return max_position_embeddings - position_offset(); }
};

std::string_view hidden_act_name(HiddenAct act);
std::string_view score_activation_name(ScoreActivation activation);

// Parses config.json text. `file` names the file in error messages. Resolves
// score_activation from the config alone (sentence_transformers.activation_fn, then
// sbert_ce_default_activation_function, else sigmoid for one label, identity otherwise).
Result<BertConfig> parse_bert_config(std::string_view json_text, std::string_view file);

// Reads <dir>/config.json, then lets <dir>/config_sentence_transformers.json's activation_fn,
// when present and not null, decide the activation, even over config.json's keys: installed
// sentence-transformers 6.2.0 reads that file first (cross_encoder/model.py,
// CrossEncoder._parse_model_config) and consults config.json only when it named none.
Result<BertConfig> load_bert_config(const std::filesystem::path& dir);

}  // namespace rerankd::model
