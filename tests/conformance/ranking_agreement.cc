#include "ranking_agreement.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

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
      queries.push_back(MsMarcoQuery{.query = fields[4], .passages = {}});
      previous_qid = fields[0];
    }
    queries.back().passages.push_back(fields[5]);
  }
  return queries;
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
  char text[200];
  std::snprintf(text, sizeof(text),
                "%zu queries, %zu pairs: mean Kendall tau %.4f (worst query %.4f), max |logit "
                "difference| %.4g",
                queries, pairs, mean_tau, min_tau, max_abs_diff);
  return text;
}

RankingAgreement compare_rankings(backend::Backend& baseline, backend::Backend& candidate,
                                  const text::Tokenizer& tokenizer,
                                  std::span<const MsMarcoQuery> queries) {
  RankingAgreement agreement;
  agreement.min_tau = 1.0;
  double tau_sum = 0.0;
  for (const auto& query : queries) {
    const auto expected = score_query(baseline, tokenizer, query);
    const auto actual = score_query(candidate, tokenizer, query);
    if (expected.empty() || actual.size() != expected.size()) return agreement;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      agreement.max_abs_diff =
          std::max(agreement.max_abs_diff, std::abs(double{actual[i]} - expected[i]));
    }
    const double tau = kendall_tau_b(expected, actual);
    tau_sum += tau;
    agreement.min_tau = std::min(agreement.min_tau, tau);
    agreement.pairs += expected.size();
    ++agreement.queries;
  }
  if (agreement.queries > 0) agreement.mean_tau = tau_sum / static_cast<double>(agreement.queries);
  return agreement;
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
