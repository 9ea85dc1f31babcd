#include "ranking_agreement.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

#include "model/bert_model.h"
#include "support/test_env.h"

namespace rerankd::testing {
namespace {

// Splits one TSV line; the sample has no tabs or newlines inside fields (msmarco/README.md).
std::vector<std::string> tsv_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

int sign(double x) { return (x > 0) - (x < 0); }

// Scores one query's candidates in one batch; empty on error (already reported).
std::vector<float> score_query(backend::Backend& backend, const text::Tokenizer& tokenizer,
                               const MsMarcoQuery& query) {
  const text::TokenizeOptions options{.max_length = 512,
                                      .truncation = text::Truncation::kLongestFirst};
  backend::PackedBatch batch;
  text::Encoding encoding;
  for (const auto& passage : query.passages) {
    const Status status = tokenizer.encode_pair(query.query, passage, options, encoding);
    if (!status.ok()) {
      ADD_FAILURE() << "tokenizing '" << query.query << "': " << status.to_string();
      return {};
    }
    batch.add(encoding.input_ids, encoding.token_type_ids);
  }
  auto logits = backend.run(batch);
  if (!logits.ok()) {
    ADD_FAILURE() << backend.info().name << " " << backend.info().dtype << ": "
                  << logits.status().to_string();
    return {};
  }
  return std::move(*logits);
}

}  // namespace

std::vector<MsMarcoQuery> load_msmarco_queries(std::size_t count) {
  const auto path = data_dir() / "msmarco" / "dev_small_bm25top20_600q.tsv";
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  std::vector<MsMarcoQuery> queries;
  std::string previous_qid;
  std::string line;
  while (std::getline(in, line)) {
    const auto fields = tsv_fields(line);  // qid, pid, rank, label, query, passage
    if (fields.size() != 6) {
      ADD_FAILURE() << path << ": a line with " << fields.size() << " fields, expected 6";
      return {};
    }
    if (fields[0] != previous_qid) {
      if (queries.size() == count) break;
      queries.push_back(MsMarcoQuery{.qid = std::stoll(fields[0]),
                                     .query = fields[4],
                                     .passages = {},
                                     .pids = {},
                                     .labels = {}});
      previous_qid = fields[0];
    }
    MsMarcoQuery& query = queries.back();
    query.passages.push_back(fields[5]);
    query.pids.push_back(std::stoll(fields[1]));
    query.labels.push_back(fields[3] == "1" ? 1 : 0);
  }
  return queries;
}

std::vector<MsMarcoQuery> load_msmarco_held_out_queries(std::size_t count) {
  auto queries = load_msmarco_queries(std::numeric_limits<std::size_t>::max());
  std::sort(queries.begin(), queries.end(),
            [](const MsMarcoQuery& a, const MsMarcoQuery& b) { return a.qid < b.qid; });
  const std::size_t first = queries.size() > count ? queries.size() - count : 0;
  queries.erase(queries.begin(), queries.begin() + static_cast<std::ptrdiff_t>(first));
  return queries;
}

double reciprocal_rank_at_10(std::span<const float> scores, std::span<const int> labels) {
  std::vector<std::size_t> order(std::min(scores.size(), labels.size()));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  for (std::size_t rank = 0; rank < order.size() && rank < 10; ++rank) {
    if (labels[order[rank]] != 0) return 1.0 / static_cast<double>(rank + 1);
  }
  return 0.0;
}

double kendall_tau_b(std::span<const float> a, std::span<const float> b) {
  const std::size_t n = std::min(a.size(), b.size());
  double concordant_minus_discordant = 0.0;
  double pairs_untied_a = 0.0;
  double pairs_untied_b = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const int da = sign(double{a[i]} - a[j]);
      const int db = sign(double{b[i]} - b[j]);
      concordant_minus_discordant += da * db;
      pairs_untied_a += da != 0;
      pairs_untied_b += db != 0;
    }
  }
  if (pairs_untied_a == 0.0 || pairs_untied_b == 0.0) return 1.0;
  return concordant_minus_discordant / std::sqrt(pairs_untied_a * pairs_untied_b);
}

std::string RankingAgreement::to_string() const {
  char text[300];
  std::snprintf(text, sizeof(text),
                "%zu queries, %zu pairs: mean Kendall tau %.4f (worst query %.4f), max |logit "
                "difference| %.4g, MRR@10 %.4f (baseline %.4f)",
                queries, pairs, mean_tau, min_tau, max_abs_diff, candidate_mrr10, baseline_mrr10);
  return text;
}

std::vector<std::vector<float>> score_queries(backend::Backend& backend,
                                              const text::Tokenizer& tokenizer,
                                              std::span<const MsMarcoQuery> queries) {
  std::vector<std::vector<float>> scores;
  for (const auto& query : queries) {
    auto logits = score_query(backend, tokenizer, query);
    if (logits.empty()) break;
    scores.push_back(std::move(logits));
  }
  return scores;
}

RankingAgreement compare_scores(std::span<const std::vector<float>> baseline,
                                std::span<const std::vector<float>> candidate,
                                std::span<const MsMarcoQuery> queries) {
  RankingAgreement agreement;
  agreement.min_tau = 1.0;
  double tau_sum = 0.0;
  double baseline_rr_sum = 0.0;
  double candidate_rr_sum = 0.0;
  const std::size_t count = std::min({baseline.size(), candidate.size(), queries.size()});
  for (std::size_t q = 0; q < count; ++q) {
    const auto& expected = baseline[q];
    const auto& actual = candidate[q];
    if (expected.empty() || actual.size() != expected.size()) break;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      agreement.max_abs_diff =
          std::max(agreement.max_abs_diff, std::abs(double{actual[i]} - expected[i]));
    }
    const double tau = kendall_tau_b(expected, actual);
    tau_sum += tau;
    agreement.min_tau = std::min(agreement.min_tau, tau);
    baseline_rr_sum += reciprocal_rank_at_10(expected, queries[q].labels);
    candidate_rr_sum += reciprocal_rank_at_10(actual, queries[q].labels);
    agreement.pairs += expected.size();
    ++agreement.queries;
  }
  if (agreement.queries > 0) {
    const auto n = static_cast<double>(agreement.queries);
    agreement.mean_tau = tau_sum / n;
    agreement.baseline_mrr10 = baseline_rr_sum / n;
    agreement.candidate_mrr10 = candidate_rr_sum / n;
  }
  return agreement;
}

RankingAgreement compare_rankings(backend::Backend& baseline, backend::Backend& candidate,
                                  const text::Tokenizer& tokenizer,
                                  std::span<const MsMarcoQuery> queries) {
  const auto expected = score_queries(baseline, tokenizer, queries);
  const auto actual = score_queries(candidate, tokenizer, queries);
  return compare_scores(expected, actual, queries);
}

RankingAgreement compare_with_baseline_on_msmarco(const std::filesystem::path& model_dir,
                                                  const backend::BackendOptions& baseline,
                                                  backend::Backend& candidate, std::size_t count) {
  auto model = model::BertModel::load(model_dir);
  if (!model.ok()) {
    ADD_FAILURE() << model.status().to_string();
    return {};
  }
  auto baseline_backend = backend::create_backend(baseline, *model);
  if (!baseline_backend.ok()) {
    ADD_FAILURE() << baseline_backend.status().to_string();
    return {};
  }
  auto tokenizer = text::Tokenizer::from_directory(model_dir);
  if (!tokenizer.ok()) {
    ADD_FAILURE() << tokenizer.status().to_string();
    return {};
  }
  const auto queries = load_msmarco_queries(count);
  return compare_rankings(**baseline_backend, candidate, *tokenizer, queries);
}

RankingAgreement compare_with_baseline_on_msmarco(const backend::BackendOptions& baseline,
                                                  backend::Backend& candidate, std::size_t count) {
  return compare_with_baseline_on_msmarco(conformance_model_dir(), baseline, candidate, count);
}

}  // namespace rerankd::testing
