// Ranking agreement between two backends on real MS MARCO queries: what a reduced-precision
// backend (bf16, int8, fp16) must keep is the order of each query's candidates, so the issues
// state their accuracy as the mean per-query Kendall tau against fp32.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "text/tokenizer.h"

namespace rerankd::testing {

struct MsMarcoQuery {
  std::string query;
  std::vector<std::string> passages;  // the sample's BM25 top 20, in BM25 order
};

// The first `count` queries of <RERANKD_DATA_DIR>/msmarco/dev_small_bm25top20_600q.tsv with
// their candidates; fails the test (ADD_FAILURE, empty result) when the file cannot be read.
std::vector<MsMarcoQuery> load_msmarco_queries(std::size_t count);

// Kendall's tau-b of two score lists of equal length (ties counted as in scipy.stats.kendalltau);
// 1 when both orders agree, -1 when reversed; 1 when either list is constant throughout.
double kendall_tau_b(std::span<const float> a, std::span<const float> b);

struct RankingAgreement {
  std::size_t queries = 0;
  std::size_t pairs = 0;
  double mean_tau = 0.0;      // averaged over queries
  double min_tau = 0.0;       // the worst query
  double max_abs_diff = 0.0;  // largest |candidate - baseline| logit over all pairs
  std::string to_string() const;
};

// Scores every query's candidates with both backends (one batch per query, tokenized with
// `tokenizer`, longest_first at 512) and compares the two rankings of each query. Fails the test
// (ADD_FAILURE) when a backend returns an error.
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
