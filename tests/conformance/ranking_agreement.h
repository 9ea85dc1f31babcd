// Ranking agreement between two backends on real MS MARCO queries: what a reduced-precision
// backend (bf16, int8, fp16) must keep is the order of each query's candidates, so the issues
// state their accuracy as the mean per-query Kendall tau against fp32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "text/tokenizer.h"

namespace rerankd::testing {

struct MsMarcoQuery {
  std::int64_t qid = 0;
  std::string query;
  std::vector<std::string> passages;  // the sample's BM25 top 20, in BM25 order
  std::vector<std::int64_t> pids;     // one per passage
  std::vector<int> labels;            // one per passage: 1 judged relevant, 0 not
};

// The first `count` queries of <RERANKD_DATA_DIR>/msmarco/dev_small_bm25top20_600q.tsv with
// their candidates; fails the test (ADD_FAILURE, empty result) when the file cannot be read.
std::vector<MsMarcoQuery> load_msmarco_queries(std::size_t count);

// The held-out queries: the sample's qids sorted as numbers, the last `count` (the trained
// stand-in model was fine-tuned on the first 480 of the 600), in that order.
std::vector<MsMarcoQuery> load_msmarco_held_out_queries(std::size_t count);

// MRR@10 of one query: 1 / the rank of its first relevant candidate when sorted by score
// (descending; ties keep the sample's order), 0 when none is in the first 10.
double reciprocal_rank_at_10(std::span<const float> scores, std::span<const int> labels);

// Kendall's tau-b of two score lists of equal length (ties counted as in scipy.stats.kendalltau);
// 1 when both orders agree, -1 when reversed; 1 when either list is constant throughout.
double kendall_tau_b(std::span<const float> a, std::span<const float> b);

struct RankingAgreement {
  std::size_t queries = 0;
  std::size_t pairs = 0;
  double mean_tau = 0.0;        // averaged over queries
  double min_tau = 0.0;         // the worst query
  double max_abs_diff = 0.0;    // largest |candidate - baseline| logit over all pairs
  double baseline_mrr10 = 0.0;  // MRR@10 of each side's ranking, over all queries
  double candidate_mrr10 = 0.0;
  std::string to_string() const;
};

// Each query's candidates scored by `backend` (one batch per query, tokenized with `tokenizer`,
// longest_first at 512), in the queries' order. Fails the test (ADD_FAILURE) and returns what
// it has so far when the backend returns an error.
std::vector<std::vector<float>> score_queries(backend::Backend& backend,
                                              const text::Tokenizer& tokenizer,
                                              std::span<const MsMarcoQuery> queries);

// Compares two sides' scores of the same queries (as score_queries returns them), query by
// query; stops at the first query either side lacks.
RankingAgreement compare_scores(std::span<const std::vector<float>> baseline,
                                std::span<const std::vector<float>> candidate,
                                std::span<const MsMarcoQuery> queries);

// score_queries with both backends, then compare_scores.
RankingAgreement compare_rankings(backend::Backend& baseline, backend::Backend& candidate,
                                  const text::Tokenizer& tokenizer,
                                  std::span<const MsMarcoQuery> queries);

// compare_rankings on the model in `model_dir`: loads it and its tokenizer, builds the `baseline`
// backend on it and scores the first `count` MS MARCO queries with both. Fails the test
// (ADD_FAILURE, empty result) when anything cannot be loaded or built.
RankingAgreement compare_with_baseline_on_msmarco(const std::filesystem::path& model_dir,
                                                  const backend::BackendOptions& baseline,
                                                  backend::Backend& candidate, std::size_t count);
// The same on the conformance model.
RankingAgreement compare_with_baseline_on_msmarco(const backend::BackendOptions& baseline,
                                                  backend::Backend& candidate, std::size_t count);

}  // namespace rerankd::testing
