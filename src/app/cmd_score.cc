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

int run_score(const ScoreFlags& flags) {
  auto pairs = read_pairs(flags.input, PairFormat::kAuto);
  if (!pairs.ok()) return report_failure("score", pairs.status());
  auto reranker = open_reranker(flags.engine);
  if (!reranker.ok()) return report_failure("score", reranker.status());

  std::vector<engine::Pair> views;
  views.reserve(pairs->size());
  for (const auto& pair : *pairs) views.push_back({pair.query, pair.document});
  const auto mode = flags.raw_scores ? engine::ScoreMode::kRaw : engine::ScoreMode::kActivated;
  // The user knows a pair by its input line, not its index.
  const auto input_line = [&](std::size_t i) {
    return flags.input + " line " + std::to_string((*pairs)[i].line);
  };
  const auto scores = (*reranker)->score(views, mode, input_line);
  if (!scores.ok()) return report_failure("score", scores.status());
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
