// The requests a load run sends: real MS MARCO queries with their candidate passages, or
// synthetic texts of a chosen token-length distribution. Deterministic for a seed, finite; the
// load generator cycles through them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"

namespace rerankd::bench {

struct BenchRequest {
  std::string query;
  std::vector<std::string> documents;
};

struct WorkloadSpec {
  std::string kind = "msmarco";  // "msmarco" | "synthetic"
  int documents = 20;            // documents per request
  int requests = 0;              // distinct requests to build; 0 = as many as the data gives
                                 // (msmarco: one per query, 600), synthetic: 256
  std::uint64_t seed = 1;
  // msmarco: passages joined into one document, so long documents (1k-8k tokens, truncated to
  // model.max_length) are real text.
  int passages_per_document = 1;

  // synthetic: each document is N vocabulary words, each word one token, N drawn from a
  // normal(mean, stddev) clipped to [min, max]; the query is query_tokens words.
  int mean_tokens = 70;
  int stddev_tokens = 25;
  int min_tokens = 8;
  int max_tokens = 250;
  int query_tokens = 8;
};

// msmarco: reads <data_dir>/msmarco/dev_small_bm25top20_600q.tsv (qid, pid, rank, label,
// query, passage); request i is query i with its candidates in rank order. With documents < 20
// the first ones; with more, the following queries' passages fill the list (then wrapping), so
// any size works. synthetic: words come from <data_dir>/bert-base-uncased/vocab.txt (whole-word
// entries of lower-case ASCII letters only, so each word is exactly one token).
// Errors name the file and line, or the bad spec field.
Result<std::vector<BenchRequest>> make_workload(const WorkloadSpec& spec,
                                                const std::filesystem::path& data_dir);

}  // namespace rerankd::bench
