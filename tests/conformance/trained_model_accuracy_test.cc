// Issue 5's accuracy bounds where they were meant: on the trained cross-encoder, not on the
// random-weight conformance model. The trained weights (model.safetensors, 91 MB) are on none of
// the project's machines, so the test runs only when RERANKD_TRAINED_MODEL names them (a model
// directory or a hub id in the local Hugging Face cache, e.g.
// cross-encoder/ms-marco-MiniLM-L-6-v2) and is skipped, saying so, otherwise.
//
// What it checks, on the first kQueries queries of the MS MARCO sample with their BM25 top 20:
// each reduced dtype against the cpu backend's fp32 (itself within 1e-4 of transformers on the
// conformance model, by cpu_logits_test) within issue 5's bounds: bf16 3e-2, int8 0.15, and a
// mean per-query Kendall tau of at least 0.98.
//
// Why not on the conformance model: tools/quant_error_budget.py emulates the int8 scheme in
// PyTorch; on the random model the emulation is 0.23 from fp32, and rerankd's own int8 differs
// from that emulation by 0.18: the random model amplifies any rounding, so it cannot tell a
// good reduced-precision path from a bad one at these bounds.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "backend/backend.h"
#include "model/bert_model.h"
#include "model/model_dir.h"
#include "ranking_agreement.h"

namespace rerankd {
namespace {

constexpr std::size_t kQueries = 100;
constexpr double kMinMeanTau = 0.98;

double max_abs_diff_for(const std::string& dtype) { return dtype == "bf16" ? 3e-2 : 0.15; }

class TrainedModelAccuracyTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    const char* model = std::getenv("RERANKD_TRAINED_MODEL");
    if (model == nullptr || *model == '\0') {
      GTEST_SKIP() << "RERANKD_TRAINED_MODEL is not set: point it at the trained "
                      "cross-encoder/ms-marco-MiniLM-L-6-v2 (a directory or a cached hub id)";
    }
    auto dir = model::resolve_model_dir(model, model::hub_cache_dirs_from_environment());
    ASSERT_TRUE(dir.ok()) << dir.status().to_string();
    model_dir_ = *dir;
    const backend::BackendOptions options{.name = "cpu", .dtype = GetParam(), .threads = 0};
    // The backend checks the dtype against the CPU before the model.
    const auto probe = backend::create_backend(options, nullptr);
    if (probe.status().code() == StatusCode::kUnimplemented) {
      GTEST_SKIP() << probe.status().message();
    }
  }

  std::filesystem::path model_dir_;
};

TEST_P(TrainedModelAccuracyTest, RankingAndLogitsAgreeWithFp32OnMsMarco) {
  const std::string dtype = GetParam();
  auto model = model::BertModel::load(model_dir_);
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  auto candidate = backend::create_backend(
      backend::BackendOptions{.name = "cpu", .dtype = dtype, .threads = 0}, *model);
  ASSERT_TRUE(candidate.ok()) << candidate.status().to_string();

  const auto agreement = testing::compare_with_baseline_on_msmarco(
      model_dir_, backend::BackendOptions{.name = "cpu", .dtype = "fp32", .threads = 0},
      **candidate, kQueries);
  std::printf("trained model %s, cpu %s vs cpu fp32: %s\n", model_dir_.c_str(), dtype.c_str(),
              agreement.to_string().c_str());
  EXPECT_EQ(agreement.queries, kQueries);
  EXPECT_LE(agreement.max_abs_diff, max_abs_diff_for(dtype)) << agreement.to_string();
  EXPECT_GE(agreement.mean_tau, kMinMeanTau) << agreement.to_string();
}

INSTANTIATE_TEST_SUITE_P(Dtypes, TrainedModelAccuracyTest, ::testing::Values("bf16", "int8"),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                           return std::string(param_info.param);
                         });

}  // namespace
}  // namespace rerankd
