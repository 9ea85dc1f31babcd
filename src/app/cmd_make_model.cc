// rerankd make-model: write a deterministic random-weight cross-encoder as a Hugging Face
// directory — the conformance model of the tests and the demo model when no trained one is
// cached. Its config marks it, and every command that loads it warns loudly.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "app/commands.h"
#include "model/random_model.h"

namespace rerankd::app {
namespace {

struct MakeModelFlags {
  std::string out;
  std::string tokenizer_dir;
  std::uint64_t seed = model::RandomModelSpec{}.seed;
  std::string dtype = "f32";
  int shards = 1;
  bool no_bert_prefix = false;
  std::string family = "bert";
  std::int64_t vocab_size = 0;       // 0: the family's usual (30522 BERT, 250002 XLM-R)
  bool max_positions_given = false;  // else the family's usual (512 BERT, 514 XLM-R)
  model::BertConfig shape = model::RandomModelSpec::minilm_l6_h384_config();
};

// The shape flags on top of the family's conventions: XLM-R's pad id 1 (and positions from 2),
// one token type, layer_norm_eps 1e-5, 250,002 pieces, 514 positions (512 tokens).
Result<model::BertConfig> config_of(const MakeModelFlags& flags) {
  const model::ModelFamily* family = model::family_named(flags.family);
  if (family == nullptr) {
    return invalid_argument("--family '" + flags.family + "' is not one of bert, xlm-roberta");
  }
  model::BertConfig config = flags.shape;
  config.family = family;
  config.architecture = std::string(family->classifier_architecture);
  config.pad_token_id = family->default_pad_token_id;
  config.type_vocab_size = family->default_type_vocab_size;
  config.layer_norm_eps = static_cast<float>(family->default_layer_norm_eps);
  const bool xlmr = family == &model::xlm_roberta_family();
  config.vocab_size = flags.vocab_size > 0 ? flags.vocab_size : (xlmr ? 250002 : 30522);
  if (!flags.max_positions_given) {
    config.max_position_embeddings = 512 + config.position_offset();
  }
  return config;
}

Result<model::StoredDtype> parse_stored_dtype(const std::string& name) {
  if (name == "f32") return model::StoredDtype::kF32;
  if (name == "f16") return model::StoredDtype::kF16;
  if (name == "bf16") return model::StoredDtype::kBF16;
  return invalid_argument("--dtype '" + name + "' is not one of f32, f16, bf16");
}

int run_make_model(const MakeModelFlags& flags) {
  const auto dtype = parse_stored_dtype(flags.dtype);
  if (!dtype.ok()) return report_failure("make-model", dtype.status());
  const auto config = config_of(flags);
  if (!config.ok()) return report_failure("make-model", config.status());
  model::RandomModelSpec spec;
  spec.config = *config;
  spec.seed = flags.seed;
  spec.dtype = *dtype;
  spec.shards = flags.shards;
  spec.bert_prefix = !flags.no_bert_prefix;
  spec.tokenizer_dir = flags.tokenizer_dir;
  const Status status = model::write_random_model(spec, flags.out);
  if (!status.ok()) return report_failure("make-model", status);
  fmt::print(stderr, "wrote a RANDOM-WEIGHT model (seed {}) to {}\n", flags.seed, flags.out);
  return 0;
}

}  // namespace

void add_make_model_command(CLI::App& app, CommandRunner& selected) {
  auto flags = std::make_shared<MakeModelFlags>();
  auto* command = app.add_subcommand(
      "make-model",
      "Write a deterministic random-weight BERT or XLM-R cross-encoder (tests, demo)");
  command->add_option("--out,-o", flags->out, "Directory to write")->required();
  command
      ->add_option("--tokenizer-dir", flags->tokenizer_dir,
                   "Folder whose tokenizer.json / vocab.txt are copied beside the weights")
      ->check(CLI::ExistingDirectory);
  command->add_option("--seed", flags->seed, "Generator seed")->capture_default_str();
  command->add_option("--dtype", flags->dtype, "Stored tensor type: f32, f16 or bf16")
      ->capture_default_str();
  command->add_option("--shards", flags->shards, "Number of safetensors shards")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_flag("--no-bert-prefix", flags->no_bert_prefix,
                    "Name tensors without the \"bert.\" prefix");
  auto& shape = flags->shape;
  command->add_option("--hidden-size", shape.hidden_size)->capture_default_str();
  command->add_option("--layers", shape.num_hidden_layers)->capture_default_str();
  command->add_option("--heads", shape.num_attention_heads)->capture_default_str();
  command->add_option("--intermediate-size", shape.intermediate_size)->capture_default_str();
  command
      ->add_option("--max-positions", shape.max_position_embeddings,
                   "max_position_embeddings (default 512 + the family's position offset)")
      ->each([flags](const std::string&) { flags->max_positions_given = true; });
  command->add_option("--family", flags->family, "Model family: bert or xlm-roberta")
      ->capture_default_str();
  command->add_option("--vocab-size", flags->vocab_size,
                      "vocab_size (default 30522 for bert, 250002 for xlm-roberta)");
  command->add_option("--num-labels", shape.num_labels)->capture_default_str();
  command->callback([flags, &selected] { selected = [flags] { return run_make_model(*flags); }; });
}

}  // namespace rerankd::app
