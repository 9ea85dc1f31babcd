// rerankd tokenize: one JSON line {"input_ids": [...], "token_type_ids": [...]} per pair.
#include <CLI/CLI.hpp>
#include <memory>

#include "app/commands.h"
#include "app/engine_flags.h"
#include "app/output_sink.h"
#include "app/pair_input.h"
#include "common/json_writer.h"
#include "model/bert_config.h"
#include "text/tokenizer.h"

namespace rerankd::app {
namespace {

struct TokenizeFlags {
  EngineFlags engine;  // --backend, --dtype and --threads are accepted and unused
  std::string input;
  std::string output;
};

// The model's limit, as the engine would use; only config.json is read, not the weights.
Result<text::TokenizeOptions> tokenize_options(const EngineFlags& flags,
                                               const std::filesystem::path& model_dir) {
  text::TokenizeOptions options;
  RERANKD_ASSIGN_OR_RETURN(options.truncation, parse_truncation(flags.truncation));
  options.max_length = flags.max_length;
  if (options.max_length == 0) {
    RERANKD_ASSIGN_OR_RETURN(const auto config, model::load_bert_config(model_dir));
    options.max_length = static_cast<int>(config.max_sequence_length());
  }
  return options;
}

Result<std::string> tokenize_all(const TokenizeFlags& flags) {
  RERANKD_ASSIGN_OR_RETURN(const auto pairs, read_pairs(flags.input, PairFormat::kAuto));
  RERANKD_ASSIGN_OR_RETURN(const auto model_dir, resolve_model_flag(flags.engine.model));
  RERANKD_ASSIGN_OR_RETURN(const auto tokenizer, text::Tokenizer::from_directory(model_dir));
  RERANKD_ASSIGN_OR_RETURN(const auto options, tokenize_options(flags.engine, model_dir));
  std::string out;
  text::Encoding encoding;
  for (const auto& pair : pairs) {
    const Status status = tokenizer.encode_pair(pair.query, pair.document, options, encoding);
    if (!status.ok()) {
      return status.with_context(flags.input + " line " + std::to_string(pair.line));
    }
    out += "{\"input_ids\":";
    json::append_array(out, encoding.input_ids);
    out += ",\"token_type_ids\":";
    json::append_array(out, encoding.token_type_ids);
    out += "}\n";
  }
  return out;
}

int run_tokenize(const TokenizeFlags& flags) {
  const auto out = tokenize_all(flags);
  if (!out.ok()) return report_failure("tokenize", out.status());
  const Status written = write_output(flags.output, *out);
  return written.ok() ? 0 : report_failure("tokenize", written);
}

}  // namespace

void add_tokenize_command(CLI::App& app, CommandRunner& selected) {
  auto flags = std::make_shared<TokenizeFlags>();
  auto* command =
      app.add_subcommand("tokenize", "Token ids of each pair, exactly as Hugging Face gives them");
  add_engine_flags(*command, flags->engine);
  command->add_option("--input,-i", flags->input, "Pairs file (.jsonl or .tsv; - for stdin)")
      ->required();
  command->add_option("--output,-o", flags->output, "Output file (default: stdout)");
  command->callback([flags, &selected] { selected = [flags] { return run_tokenize(*flags); }; });
}

}  // namespace rerankd::app
