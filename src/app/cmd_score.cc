// rerankd score: one JSON line {"score": ...} per input pair, in input order.
#include <CLI/CLI.hpp>
#include <memory>

#include "app/commands.h"
#include "app/engine_flags.h"
#include "app/output_sink.h"
#include "app/pair_input.h"
#include "common/json_writer.h"

namespace rerankd::app {
namespace {

struct ScoreFlags {
  EngineFlags engine;
  std::string input;
  std::string output;
  bool raw_scores = false;
};

std::string format_scores(const engine::Scores& scores, std::size_t pairs) {
  std::string out;
  for (std::size_t i = 0; i < pairs; ++i) {
    const auto values = scores.of_pair(i);
    if (scores.num_labels == 1) {
      out += "{\"score\":";
      json::append_number(out, values[0]);
    } else {
      out += "{\"scores\":[";
      for (std::size_t label = 0; label < values.size(); ++label) {
        if (label > 0) out += ',';
        json::append_number(out, values[label]);
      }
      out += ']';
    }
    out += "}\n";
  }
  return out;
}

// The engine names a failing pair by its index; the user knows it by its input line.
Status name_input_line(const Status& status, const std::vector<InputPair>& pairs,
                       const std::string& input) {
  const std::string prefix = "pair ";
  const auto& message = status.message();
  if (message.rfind(prefix, 0) != 0) return status;
  const auto colon = message.find(':');
  const auto index = std::stoul(message.substr(prefix.size(), colon - prefix.size()));
  if (index >= pairs.size()) return status;
  return Status(status.code(),
                input + " line " + std::to_string(pairs[index].line) + message.substr(colon));
}

int run_score(const ScoreFlags& flags) {
  auto pairs = read_pairs(flags.input, PairFormat::kAuto);
  if (!pairs.ok()) return report_failure("score", pairs.status());
  auto reranker = open_reranker(flags.engine);
  if (!reranker.ok()) return report_failure("score", reranker.status());

  std::vector<engine::Pair> views;
  views.reserve(pairs->size());
  for (const auto& pair : *pairs) views.push_back({pair.query, pair.document});
  const auto mode = flags.raw_scores ? engine::ScoreMode::kRaw : engine::ScoreMode::kActivated;
  const auto scores = (*reranker)->score(views, mode);
  if (!scores.ok()) {
    return report_failure("score", name_input_line(scores.status(), *pairs, flags.input));
  }
  const Status written = write_output(flags.output, format_scores(*scores, views.size()));
  if (!written.ok()) return report_failure("score", written);
  return 0;
}

}  // namespace

void add_score_command(CLI::App& app, CommandRunner& selected) {
  auto flags = std::make_shared<ScoreFlags>();
  auto* command =
      app.add_subcommand("score",
                         "Score (query, document) pairs: JSONL {\"query\",\"document\"} or TSV in, "
                         "one {\"score\"} line per pair out");
  add_engine_flags(*command, flags->engine);
  command->add_option("--input,-i", flags->input, "Pairs file (.jsonl or .tsv; - for stdin)")
      ->required();
  command->add_option("--output,-o", flags->output, "Output file (default: stdout)");
  command->add_flag("--raw-scores", flags->raw_scores, "Raw logits instead of activated scores");
  command->callback([flags, &selected] { selected = [flags] { return run_score(*flags); }; });
}

}  // namespace rerankd::app
