#include "trained_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "model/bert_model.h"
#include "model/hub/model_dir.h"
#include "ranking_agreement.h"
#include "support/test_env.h"
#include "text/tokenizer.h"

namespace rerankd::testing {

std::optional<std::filesystem::path> trained_model_dir(std::string& why) {
  const char* named = std::getenv("RERANKD_TRAINED_MODEL");
  if (named != nullptr && *named != '\0') {
    auto dir = model::resolve_model_dir(named, model::hub_cache_dirs_from_environment());
    if (!dir.ok()) {
      ADD_FAILURE() << "RERANKD_TRAINED_MODEL=" << named << ": " << dir.status().to_string();
      why = "RERANKD_TRAINED_MODEL does not resolve";
      return std::nullopt;
    }
    return *dir;
  }
  const auto standin = data_dir() / "minilm-l6-msmarco-standin";
  if (std::filesystem::exists(standin / "model.safetensors")) return standin;
  why =
      "no trained model: " + standin.string() + " is missing and RERANKD_TRAINED_MODEL is not set";
  return std::nullopt;
}

std::optional<std::string> why_backend_cannot_run(const backend::BackendOptions& options) {
  const auto probe = backend::create_backend(options, nullptr);
  const StatusCode code = probe.status().code();
  if (code == StatusCode::kUnimplemented || code == StatusCode::kFailedPrecondition) {
    return probe.status().message();
  }
  return std::nullopt;
}

void expect_within_bounds_of_cpu_fp32(const std::filesystem::path& model_dir,
                                      const backend::BackendOptions& candidate,
                                      const AccuracyBounds& bounds) {
  auto model = model::BertModel::load(model_dir);
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  auto tokenizer = text::Tokenizer::from_directory(model_dir);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().to_string();
  const auto queries = load_msmarco_held_out_queries(kHeldOutQueries);
  ASSERT_EQ(queries.size(), kHeldOutQueries);

  // One backend at a time, so the two never hold their weights together.
  std::vector<std::vector<float>> baseline;
  {
    auto fp32 = backend::create_backend({.name = "cpu", .dtype = "fp32", .threads = 0}, *model);
    ASSERT_TRUE(fp32.ok()) << fp32.status().to_string();
    baseline = score_queries(**fp32, *tokenizer, queries);
  }
  auto reduced = backend::create_backend(candidate, *model);
  ASSERT_TRUE(reduced.ok()) << reduced.status().to_string();
  const auto scores = score_queries(**reduced, *tokenizer, queries);

  const RankingAgreement agreement = compare_scores(baseline, scores, queries);
  std::printf("%s: %s %s vs cpu fp32: %s\n", model_dir.filename().c_str(), candidate.name.c_str(),
              candidate.dtype.c_str(), agreement.to_string().c_str());
  EXPECT_EQ(agreement.queries, kHeldOutQueries);
  EXPECT_LE(agreement.max_abs_diff, bounds.max_abs_diff) << agreement.to_string();
  EXPECT_GE(agreement.mean_tau, bounds.min_mean_tau) << agreement.to_string();
  EXPECT_LE(std::abs(agreement.candidate_mrr10 - agreement.baseline_mrr10), bounds.max_mrr10_change)
      << agreement.to_string();
}

}  // namespace rerankd::testing
