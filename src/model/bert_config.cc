#include "model/bert_config.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>
#include <utility>

#include "common/file.h"
#include "model/score_activation.h"

namespace rerankd::model {
namespace {

namespace dom = simdjson::dom;

// Sizes above this are certainly corrupt and would overflow index arithmetic downstream.
constexpr std::int64_t kMaxDimension = std::int64_t{1} << 31;

class ConfigReader {
 public:
  ConfigReader(dom::object object, std::string_view file) : object_(object), file_(file) {}

  // The integer at `key`, or `fallback` when absent (transformers' BertConfig defaults).
  Result<std::int64_t> integer(std::string_view key, std::int64_t fallback) const {
    dom::element value;
    if (object_[key].get(value) != simdjson::SUCCESS) return fallback;
    std::int64_t number = 0;
    if (value.get(number) != simdjson::SUCCESS) {
      return invalid_argument(file_ + ": \"" + std::string(key) + "\" is not an integer");
    }
    return number;
  }

  // A size that must be in [minimum, 2^31].
  Result<std::int64_t> size(std::string_view key, std::int64_t fallback,
                            std::int64_t minimum = 1) const {
    RERANKD_ASSIGN_OR_RETURN(const std::int64_t number, integer(key, fallback));
    if (number < minimum || number > kMaxDimension) {
      return invalid_argument(file_ + ": \"" + std::string(key) + "\" is " +
                              std::to_string(number) + "; it must be at least " +
                              std::to_string(minimum) + " and at most 2^31");
    }
    return number;
  }

  Result<double> number(std::string_view key, double fallback) const {
    dom::element value;
    if (object_[key].get(value) != simdjson::SUCCESS) return fallback;
    double number = 0;
    if (value.get(number) != simdjson::SUCCESS) {
      return invalid_argument(file_ + ": \"" + std::string(key) + "\" is not a number");
    }
    return number;
  }

  // The string at `key`; nullopt when absent or null.
  Result<std::optional<std::string_view>> string(std::string_view key) const {
    dom::element value;
    if (object_[key].get(value) != simdjson::SUCCESS || value.is_null()) {
      return std::optional<std::string_view>();
    }
    std::string_view text;
    if (value.get(text) != simdjson::SUCCESS) {
      return invalid_argument(file_ + ": \"" + std::string(key) + "\" is not a string");
    }
    return std::optional<std::string_view>(text);
  }

  bool has(std::string_view key) const {
    dom::element value;
    return object_[key].get(value) == simdjson::SUCCESS;
  }

  dom::object object() const { return object_; }
  const std::string& file() const { return file_; }

 private:
  dom::object object_;
  std::string file_;
};

Result<std::string> read_architecture(const ConfigReader& reader) {
  dom::element value;
  std::string architecture;
  if (reader.object()["architectures"].get(value) == simdjson::SUCCESS && !value.is_null()) {
    dom::array list;
    std::string_view first;
    if (value.get(list) != simdjson::SUCCESS || list.size() == 0 ||
        list.at(0).get(first) != simdjson::SUCCESS) {
      return invalid_argument(reader.file() +
                              ": \"architectures\" is not a non-empty list of strings");
    }
    architecture = std::string(first);
  } else {
    // No architectures: sentence-transformers loads such a checkpoint with
    // AutoModelForSequenceClassification, which picks the class from model_type.
    RERANKD_ASSIGN_OR_RETURN(const auto model_type, reader.string("model_type"));
    const ModelFamily* family = model_type ? family_of_model_type(*model_type) : nullptr;
    if (family == nullptr) {
      std::string found = "missing";
      if (model_type) found = std::string("\"").append(*model_type).append("\"");
      return failed_precondition(reader.file() + ": no \"architectures\" and \"model_type\" is " +
                                 found +
                                 "; rerankd supports bert, roberta and xlm-roberta sequence "
                                 "classifiers");
    }
    architecture = std::string(family->classifier_architecture);
  }
  if (family_of_architecture(architecture) == nullptr) {
    return failed_precondition(
        reader.file() + ": unsupported architecture \"" + architecture +
        "\"; rerankd supports BertForSequenceClassification, BertModel, "
        "XLMRobertaForSequenceClassification and RobertaForSequenceClassification");
  }
  return architecture;
}

Result<HiddenAct> read_hidden_act(const ConfigReader& reader) {
  RERANKD_ASSIGN_OR_RETURN(const auto name, reader.string("hidden_act"));
  // Names as transformers' activations.py ACT2CLS maps them.
  if (!name || *name == "gelu" || *name == "gelu_python") return HiddenAct::kGeluErf;
  if (*name == "gelu_new" || *name == "gelu_pytorch_tanh" || *name == "gelu_fast") {
    return HiddenAct::kGeluTanh;
  }
  if (*name == "relu") return HiddenAct::kRelu;
  return failed_precondition(reader.file() + ": unsupported hidden_act \"" + std::string(*name) +
                             "\" (rerankd supports gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, "
                             "relu)");
}

// transformers' PreTrainedConfig (configuration_utils.py, v5.24): an explicit num_labels wins
// (with a warning if id2label disagrees), then the size of id2label, else 2.
Result<std::int64_t> read_num_labels(const ConfigReader& reader) {
  dom::element value;
  if (reader.object()["num_labels"].get(value) == simdjson::SUCCESS && !value.is_null()) {
    return reader.size("num_labels", 2);
  }
  if (reader.object()["id2label"].get(value) == simdjson::SUCCESS && !value.is_null()) {
    dom::object labels;
    if (value.get(labels) != simdjson::SUCCESS) {
      return invalid_argument(reader.file() + ": \"id2label\" is not an object");
    }
    if (labels.size() == 0) return invalid_argument(reader.file() + ": \"id2label\" is empty");
    return static_cast<std::int64_t>(labels.size());
  }
  return 2;
}

// id2label's names for labels 0..num_labels-1 ({"0": "LABEL_0"}); keys that are not such an
// index, or values that are not strings, are ignored: the names only label /predict answers.
std::vector<std::string> read_labels(const ConfigReader& reader, std::int64_t num_labels) {
  std::vector<std::string> labels(
      static_cast<std::size_t>(std::min<std::int64_t>(num_labels, 1 << 16)));
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = "LABEL_" + std::to_string(i);
  dom::object id2label;
  if (reader.object()["id2label"].get(id2label) != simdjson::SUCCESS) return labels;
  for (dom::key_value_pair entry : id2label) {
    std::size_t index = 0;
    const std::string_view key = entry.key;
    if (key.empty() || key.size() > 6) continue;
    bool digits = true;
    for (char c : key) {
      digits = digits && c >= '0' && c <= '9';
      index = index * 10 + static_cast<std::size_t>(c - '0');
    }
    std::string_view name;
    if (!digits || index >= labels.size() || entry.value.get(name) != simdjson::SUCCESS) continue;
    labels[index] = std::string(name);
  }
  return labels;
}

// cross_encoder/model.py get_default_activation_fn: config.sentence_transformers.activation_fn
// if that key exists (a null there skips the legacy key: it is an elif), else the legacy
// sbert_ce_default_activation_function, else sigmoid for one label, identity otherwise.
Status resolve_activation_from_config(const ConfigReader& reader, BertConfig& config) {
  dom::element section;
  if (reader.object()["sentence_transformers"].get(section) == simdjson::SUCCESS &&
      section.is_object()) {
    dom::element value;
    if (section["activation_fn"].get(value) == simdjson::SUCCESS) {
      if (!value.is_null()) {
        std::string_view path;
        const std::string where = reader.file() + " sentence_transformers.activation_fn";
        if (value.get(path) != simdjson::SUCCESS) {
          return invalid_argument(where + " is not a string");
        }
        RERANKD_ASSIGN_OR_RETURN(config.score_activation, score_activation_from_class(path, where));
        config.score_activation_source = "config.json sentence_transformers.activation_fn";
        return Status::ok_status();
      }
      config.score_activation = default_score_activation(config.num_labels);
      config.score_activation_source =
          "default for num_labels=" + std::to_string(config.num_labels);
      return Status::ok_status();
    }
  }
  RERANKD_ASSIGN_OR_RETURN(const auto legacy,
                           reader.string("sbert_ce_default_activation_function"));
  if (legacy) {
    RERANKD_ASSIGN_OR_RETURN(config.score_activation,
                             score_activation_from_class(
                                 *legacy, reader.file() + " sbert_ce_default_activation_function"));
    config.score_activation_source = "config.json sbert_ce_default_activation_function";
    return Status::ok_status();
  }
  config.score_activation = default_score_activation(config.num_labels);
  config.score_activation_source = "default for num_labels=" + std::to_string(config.num_labels);
  return Status::ok_status();
}

Result<BertConfig> read_config(const ConfigReader& reader) {
  BertConfig config;
  RERANKD_ASSIGN_OR_RETURN(config.architecture, read_architecture(reader));
  config.family = family_of_architecture(config.architecture);
  const ModelFamily& family = *config.family;
  RERANKD_ASSIGN_OR_RETURN(const auto position_type, reader.string("position_embedding_type"));
  if (position_type && *position_type != "absolute") {
    return failed_precondition(reader.file() + ": unsupported position_embedding_type \"" +
                               std::string(*position_type) + "\"; rerankd supports \"absolute\"");
  }
  // Fallbacks are transformers' BertConfig defaults, so a sparse config means what it means there.
  RERANKD_ASSIGN_OR_RETURN(config.vocab_size, reader.size("vocab_size", 30522));
  RERANKD_ASSIGN_OR_RETURN(config.hidden_size, reader.size("hidden_size", 768));
  RERANKD_ASSIGN_OR_RETURN(config.num_hidden_layers, reader.size("num_hidden_layers", 12));
  RERANKD_ASSIGN_OR_RETURN(config.num_attention_heads, reader.size("num_attention_heads", 12));
  RERANKD_ASSIGN_OR_RETURN(config.intermediate_size, reader.size("intermediate_size", 3072));
  RERANKD_ASSIGN_OR_RETURN(config.max_position_embeddings,
                           reader.size("max_position_embeddings", 512));
  RERANKD_ASSIGN_OR_RETURN(config.type_vocab_size,
                           reader.size("type_vocab_size", family.default_type_vocab_size));
  if (config.hidden_size % config.num_attention_heads != 0) {
    return invalid_argument(reader.file() + ": hidden_size " + std::to_string(config.hidden_size) +
                            " is not divisible by num_attention_heads " +
                            std::to_string(config.num_attention_heads));
  }
  RERANKD_ASSIGN_OR_RETURN(const double eps,
                           reader.number("layer_norm_eps", family.default_layer_norm_eps));
  if (!(eps > 0.0) || eps > 1.0) {
    return invalid_argument(reader.file() + ": layer_norm_eps " + std::to_string(eps) +
                            " is not in (0, 1]");
  }
  // The kernels add it as a float: below FLT_MIN it is 0 or a denormal (0 again where denormals
  // are flushed), and a constant row then normalises to 0/0 = NaN.
  if (eps < static_cast<double>(std::numeric_limits<float>::min())) {
    char text[32];
    std::snprintf(text, sizeof(text), "%g", eps);
    return invalid_argument(reader.file() + ": layer_norm_eps " + text +
                            " is below the smallest normal float (1.17549e-38)");
  }
  config.layer_norm_eps = static_cast<float>(eps);
  RERANKD_ASSIGN_OR_RETURN(config.hidden_act, read_hidden_act(reader));
  RERANKD_ASSIGN_OR_RETURN(config.num_labels, read_num_labels(reader));
  config.labels = read_labels(reader, config.num_labels);
  dom::element pad;
  config.pad_token_id = family.default_pad_token_id;
  const bool pad_given =
      reader.object()["pad_token_id"].get(pad) == simdjson::SUCCESS && !pad.is_null();
  if (pad_given) {
    RERANKD_ASSIGN_OR_RETURN(config.pad_token_id,
                             reader.integer("pad_token_id", family.default_pad_token_id));
  }
  // The family's default too (found by fuzz_config_json: xlm-roberta's pad id 1 with
  // vocab_size 1 passed, and the position ids start after the pad id).
  if (config.pad_token_id < 0 || config.pad_token_id >= config.vocab_size) {
    return invalid_argument(
        reader.file() + ": pad_token_id " + std::to_string(config.pad_token_id) +
        (pad_given ? "" : " (the family's default)") + " is outside the vocabulary (" +
        std::to_string(config.vocab_size) + " tokens)");
  }
  dom::element random;
  if (reader.object()["rerankd_random_weights"].get(random) == simdjson::SUCCESS) {
    if (random.get(config.random_weights) != simdjson::SUCCESS) {
      return invalid_argument(reader.file() + ": \"rerankd_random_weights\" is not a boolean");
    }
  }
  if (config.max_sequence_length() < 2) {
    return invalid_argument(reader.file() + ": max_position_embeddings " +
                            std::to_string(config.max_position_embeddings) +
                            " leaves no positions after pad_token_id " +
                            std::to_string(config.pad_token_id) + " + 1");
  }
  RERANKD_RETURN_IF_ERROR(resolve_activation_from_config(reader, config));
  return config;
}

Result<dom::object> parse_object(dom::parser& parser, std::string_view json_text,
                                 const std::string& file) {
  dom::element root;
  if (const auto error = parser.parse(json_text.data(), json_text.size()).get(root);
      error != simdjson::SUCCESS) {
    return invalid_argument(file + ": invalid JSON: " + simdjson::error_message(error));
  }
  dom::object object;
  if (root.get(object) != simdjson::SUCCESS) {
    return invalid_argument(file + ": top level is not a JSON object");
  }
  return object;
}

// sentence-transformers >= 5 keeps the activation of a saved CrossEncoder here, and
// CrossEncoder._parse_model_config reads it before get_default_activation_fn runs, so when it
// names an activation it wins over config.json's keys.
Status apply_sentence_transformers_config(const std::filesystem::path& path, BertConfig& config) {
  RERANKD_ASSIGN_OR_RETURN(const bool present, file_is_present(path));
  if (!present) return Status::ok_status();
  RERANKD_ASSIGN_OR_RETURN(const std::string text, read_file(path));
  dom::parser parser;
  RERANKD_ASSIGN_OR_RETURN(const dom::object object, parse_object(parser, text, path.string()));
  dom::element value;
  if (object["activation_fn"].get(value) != simdjson::SUCCESS || value.is_null()) {
    return Status::ok_status();
  }
  std::string_view class_path;
  const std::string where = path.string() + " activation_fn";
  if (value.get(class_path) != simdjson::SUCCESS) {
    return invalid_argument(where + " is not a string");
  }
  RERANKD_ASSIGN_OR_RETURN(config.score_activation, score_activation_from_class(class_path, where));
  config.score_activation_source = "config_sentence_transformers.json activation_fn";
  return Status::ok_status();
}

}  // namespace

std::string_view hidden_act_name(HiddenAct act) {
  switch (act) {
    case HiddenAct::kGeluErf:
      return "gelu";
    case HiddenAct::kGeluTanh:
      return "gelu_new";
    case HiddenAct::kRelu:
      return "relu";
  }
  return "unknown";
}

std::string_view score_activation_name(ScoreActivation activation) {
  switch (activation) {
    case ScoreActivation::kIdentity:
      return "identity";
    case ScoreActivation::kSigmoid:
      return "sigmoid";
  }
  return "unknown";
}

Result<BertConfig> parse_bert_config(std::string_view json_text, std::string_view file) {
  const std::string name(file);
  dom::parser parser;
  RERANKD_ASSIGN_OR_RETURN(const dom::object object, parse_object(parser, json_text, name));
  return read_config(ConfigReader(object, name));
}

Result<BertConfig> load_bert_config(const std::filesystem::path& dir) {
  const auto path = dir / "config.json";
  RERANKD_ASSIGN_OR_RETURN(const std::string text, read_file(path));
  RERANKD_ASSIGN_OR_RETURN(BertConfig config, parse_bert_config(text, path.string()));
  RERANKD_RETURN_IF_ERROR(
      apply_sentence_transformers_config(dir / "config_sentence_transformers.json", config));
  return config;
}

}  // namespace rerankd::model
