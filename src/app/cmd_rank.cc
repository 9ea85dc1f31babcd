// rerankd rank: score a query against a list of documents and print them best first.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "app/commands.h"
#include "app/document_input.h"
#include "app/engine_flags.h"
#include "app/output_sink.h"
#include "common/json_writer.h"

namespace rerankd::app {
namespace {

struct RankFlags {
  EngineFlags engine;
  std::string query;
  std::string documents;
  std::size_t top_k = 0;
  bool raw_scores = false;
  bool json = false;
};

// One document on one terminal line: first 72 bytes, cut at a UTF-8 character boundary.
std::string preview(const std::string& document) {
  constexpr std::size_t kWidth = 72;
  if (document.size() <= kWidth) return document;
  std::size_t cut = kWidth;
  while (cut > 0 && (static_cast<unsigned char>(document[cut]) & 0xC0) == 0x80) --cut;
  return document.substr(0, cut) + "...";
}

std::string format_table(const std::vector<engine::RankedIndex>& ranked,
                         const std::vector<std::string>& documents) {
  std::string out = fmt::format("{:>4}  {:>10}  {:>5}  {}\n", "rank", "score", "index", "document");
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    out += fmt::format("{:>4}  {:>10.5f}  {:>5}  {}\n", i + 1, ranked[i].score, ranked[i].index,
                       preview(documents[ranked[i].index]));
  }
  return out;
}

std::string format_json_lines(const std::vector<engine::RankedIndex>& ranked,
                              const std::vector<std::string>& documents) {
  std::string out;
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    out += "{\"rank\":" + std::to_string(i + 1) + ",\"index\":" + std::to_string(ranked[i].index) +
           ",\"score\":";
    json::append_number(out, ranked[i].score);
    out += ",\"document\":";
    json::append_string(out, documents[ranked[i].index]);
    out += "}\n";
  }
  return out;
}

int run_rank(const RankFlags& flags) {
  const auto documents = read_documents(flags.documents);
  if (!documents.ok()) return report_failure("rank", documents.status());
  if (documents->empty()) {
    return report_failure("rank", invalid_argument(flags.documents + ": no documents"));
  }
  auto reranker = open_reranker(flags.engine);
  if (!reranker.ok()) return report_failure("rank", reranker.status());
  const std::vector<std::string_view> views(documents->begin(), documents->end());
  const auto mode = flags.raw_scores ? engine::ScoreMode::kRaw : engine::ScoreMode::kActivated;
  const auto ranked = (*reranker)->rank(flags.query, views, flags.top_k, mode);
  if (!ranked.ok()) return report_failure("rank", ranked.status());
  const auto out =
      flags.json ? format_json_lines(*ranked, *documents) : format_table(*ranked, *documents);
  const Status written = write_output("", out);
  return written.ok() ? 0 : report_failure("rank", written);
}

}  // namespace

void add_rank_command(CLI::App& app, CommandRunner& selected) {
  auto flags = std::make_shared<RankFlags>();
  auto* command = app.add_subcommand("rank", "Rank documents for one query, best first");
  add_engine_flags(*command, flags->engine);
  command->add_option("--query,-q", flags->query, "The query text")->required();
  command
      ->add_option("--documents,-d", flags->documents,
                   "One document per line (plain text, or .jsonl strings / {\"text\"})")
      ->required();
  command->add_option("--top-k,-k", flags->top_k, "Print only the best K (0 = all)");
  command->add_flag("--raw-scores", flags->raw_scores, "Raw logits instead of activated scores");
  command->add_flag("--json", flags->json, "JSON lines instead of a table");
  command->callback([flags, &selected] { selected = [flags] { return run_rank(*flags); }; });
}

}  // namespace rerankd::app
