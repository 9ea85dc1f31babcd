#include "model/hf_config_json.h"

#include "common/json_writer.h"
#include "model/score_activation.h"

namespace rerankd::model {
namespace {

class ObjectWriter {
 public:
  ObjectWriter() { out_ = "{"; }

  void key(std::string_view name) {
    out_ += first_ ? "\n  " : ",\n  ";
    first_ = false;
    json::append_string(out_, name);
    out_ += ": ";
  }
  void raw(std::string_view name, std::string_view json) {
    key(name);
    out_ += json;
  }
  void string(std::string_view name, std::string_view value) {
    key(name);
    json::append_string(out_, value);
  }
  void integer(std::string_view name, std::int64_t value) {
    key(name);
    json::append_number(out_, value);
  }
  std::string finish() { return out_ + "\n}\n"; }

 private:
  std::string out_;
  bool first_ = true;
};

std::string label_maps(std::int64_t num_labels, bool id_to_label) {
  std::string out = "{";
  for (std::int64_t i = 0; i < num_labels; ++i) {
    if (i > 0) out += ", ";
    const std::string label = "LABEL_" + std::to_string(i);
    if (id_to_label) {
      json::append_string(out, std::to_string(i));
      out += ": ";
      json::append_string(out, label);
    } else {
      json::append_string(out, label);
      out += ": " + std::to_string(i);
    }
  }
  return out + "}";
}

}  // namespace

std::string hf_config_json(const BertConfig& config, std::string_view name_or_path) {
  ObjectWriter w;
  w.string("_name_or_path", name_or_path);
  std::string architectures = "[";
  json::append_string(architectures, config.architecture.empty()
                                         ? config.family->classifier_architecture
                                         : std::string_view(config.architecture));
  w.raw("architectures", architectures + "]");
  w.raw("attention_probs_dropout_prob", "0.1");
  if (config.family->positions_after_padding) {  // RoBERTa's <s> and </s>, as its configs say
    w.integer("bos_token_id", 0);
    w.integer("eos_token_id", 2);
  }
  w.raw("classifier_dropout", "null");
  w.string("hidden_act", hidden_act_name(config.hidden_act));
  w.raw("hidden_dropout_prob", "0.1");
  w.integer("hidden_size", config.hidden_size);
  w.raw("id2label", label_maps(config.num_labels, true));
  w.raw("initializer_range", "0.02");
  w.integer("intermediate_size", config.intermediate_size);
  w.raw("label2id", label_maps(config.num_labels, false));
  std::string eps;
  json::append_number(eps, config.layer_norm_eps);
  w.raw("layer_norm_eps", eps);
  w.integer("max_position_embeddings", config.max_position_embeddings);
  w.string("model_type", config.family->model_type);
  w.integer("num_attention_heads", config.num_attention_heads);
  w.integer("num_hidden_layers", config.num_hidden_layers);
  w.integer("pad_token_id", config.pad_token_id);
  w.string("position_embedding_type", "absolute");
  w.raw("rerankd_random_weights", config.random_weights ? "true" : "false");
  // Only an activation that differs from sentence-transformers' default needs saying; where to
  // say it follows CrossEncoder.save (config.json "sentence_transformers" key, v4+).
  if (config.score_activation != default_score_activation(config.num_labels)) {
    const std::string_view path = config.score_activation == ScoreActivation::kIdentity
                                      ? "torch.nn.modules.linear.Identity"
                                      : "torch.nn.modules.activation.Sigmoid";
    std::string section = "{\"activation_fn\": ";
    json::append_string(section, path);
    w.raw("sentence_transformers", section + "}");
  }
  // Always float32: F16/BF16 files widen exactly, and transformers then computes in fp32 as the
  // reference forward pass does.
  w.string("torch_dtype", "float32");
  w.integer("type_vocab_size", config.type_vocab_size);
  w.raw("use_cache", "true");
  w.integer("vocab_size", config.vocab_size);
  return w.finish();
}

}  // namespace rerankd::model
