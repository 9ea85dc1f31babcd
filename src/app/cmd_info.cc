// rerankd info: what was loaded — model shape, checkpoint, activation, tokenizer, backend.
#include <CLI/CLI.hpp>
#include <memory>

#include "app/commands.h"
#include "app/engine_flags.h"
#include "app/output_sink.h"
#include "common/json_writer.h"

namespace rerankd::app {
namespace {

struct InfoFlags {
  EngineFlags engine;
};

void add_field(std::string& out, std::string_view key, std::string_view value) {
  out += "  ";
  json::append_string(out, key);
  out += ": ";
  json::append_string(out, value);
  out += ",\n";
}

void add_field(std::string& out, std::string_view key, std::int64_t value) {
  out += "  ";
  json::append_string(out, key);
  out += ": ";
  json::append_number(out, value);
  out += ",\n";
}

std::string describe(const engine::Reranker& reranker) {
  const auto& config = reranker.model().config();
  const auto backend = reranker.backend_info();
  std::string out = "{\n";
  add_field(out, "model_dir", reranker.model().directory().string());
  add_field(out, "architecture", config.architecture);
  add_field(out, "checkpoint", reranker.model().checkpoint_description());
  add_field(out, "hidden_size", config.hidden_size);
  add_field(out, "num_hidden_layers", config.num_hidden_layers);
  add_field(out, "num_attention_heads", config.num_attention_heads);
  add_field(out, "intermediate_size", config.intermediate_size);
  add_field(out, "max_position_embeddings", config.max_position_embeddings);
  add_field(out, "vocab_size", config.vocab_size);
  add_field(out, "hidden_act", model::hidden_act_name(config.hidden_act));
  add_field(out, "num_labels", config.num_labels);
  add_field(out, "score_activation", model::score_activation_name(config.score_activation));
  add_field(out, "score_activation_source", config.score_activation_source);
  add_field(out, "tokenizer", reranker.tokenizer().describe());
  add_field(out, "max_length", reranker.tokenize_options().max_length);
  add_field(out, "backend", backend.name);
  add_field(out, "dtype", backend.dtype);
  add_field(out, "device", backend.device);
  add_field(out, "threads", backend.threads);
  out += "  \"random_weights\": ";
  out += config.random_weights ? "true" : "false";
  out += "\n}\n";
  return out;
}

int run_info(const InfoFlags& flags) {
  auto reranker = open_reranker(flags.engine);
  if (!reranker.ok()) return report_failure("info", reranker.status());
  const Status written = write_output("", describe(**reranker));
  return written.ok() ? 0 : report_failure("info", written);
}

}  // namespace

void add_info_command(CLI::App& app, CommandRunner& selected) {
  auto flags = std::make_shared<InfoFlags>();
  auto* command = app.add_subcommand("info", "Load a model and print what was loaded, as JSON");
  add_engine_flags(*command, flags->engine);
  command->callback([flags, &selected] { selected = [flags] { return run_info(*flags); }; });
}

}  // namespace rerankd::app
