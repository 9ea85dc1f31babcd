// Fuzzes a model's config.json: parse_bert_config (what load_bert_config runs on the file's
// text) on the input, then load_bert_config on a scratch model directory whose
// config_sentence_transformers.json holds the input (beside a valid config.json).
//
// Invariants of an accepted config (abort on violation): the sizes are positive, hidden_size
// divides into num_attention_heads heads, layer_norm_eps is a normal float in (0, 1], pad_token_id
// is in the vocabulary, at least two positions are left, one label name per label (at most 2^16).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "model/bert_config.h"

namespace model = rerankd::model;
using rerankd::fuzz::fail;

namespace {

constexpr std::string_view kConfigJson = R"({"architectures": ["BertForSequenceClassification"],
  "model_type": "bert", "vocab_size": 100, "hidden_size": 8, "num_hidden_layers": 1,
  "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 32,
  "id2label": {"0": "LABEL_0"}})";

void check(const model::BertConfig& config) {
  if (config.vocab_size < 1 || config.hidden_size < 1 || config.num_hidden_layers < 1 ||
      config.num_attention_heads < 1 || config.intermediate_size < 1 ||
      config.max_position_embeddings < 1 || config.type_vocab_size < 1) {
    fail("a size below 1 accepted");
  }
  if (config.hidden_size % config.num_attention_heads != 0) fail("heads do not divide hidden");
  // A normal float (the kernels add it in float; 0 or a denormal makes a constant row NaN).
  if (!(config.layer_norm_eps >= std::numeric_limits<float>::min()) ||
      config.layer_norm_eps > 1.0f) {
    fail("layer_norm_eps", std::to_string(config.layer_norm_eps));
  }
  if (config.pad_token_id < 0 || config.pad_token_id >= config.vocab_size) {
    fail("pad_token_id outside the vocabulary", std::to_string(config.pad_token_id));
  }
  if (config.max_sequence_length() < 2) fail("fewer than two positions");
  if (config.num_labels < 1) fail("num_labels below 1");
  const auto labels = static_cast<std::size_t>(std::min<std::int64_t>(config.num_labels, 1 << 16));
  if (config.labels.size() != labels) fail("label names", std::to_string(config.labels.size()));
  if (config.family == nullptr) fail("no model family");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = model::parse_bert_config(text, "config.json");
  if (config.ok()) check(*config);

  const auto& dir = rerankd::fuzz::scratch_dir();
  static const bool written = (rerankd::fuzz::write_file(dir / "config.json", kConfigJson), true);
  (void)written;
  rerankd::fuzz::write_file(dir / "config_sentence_transformers.json", text);
  auto loaded = model::load_bert_config(dir);
  if (loaded.ok()) {
    check(*loaded);
  } else if (loaded.status().code() == rerankd::StatusCode::kNotFound) {
    fail("the scratch config.json is gone", loaded.status().to_string());
  }
  return 0;
}
