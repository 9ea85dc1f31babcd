// Issues 5 and 6's reduced-precision accuracy bounds where they were meant: on the trained
// cross-encoder, not on the random-weight conformance model. The trained weights
// (model.safetensors, 91 MB) are on none of the project's machines, so the test runs only when
// RERANKD_TRAINED_MODEL names them (a model directory or a hub id in the local Hugging Face cache,
// e.g. cross-encoder/ms-marco-MiniLM-L-6-v2) and is skipped, saying so, otherwise.
//
// What it checks, on the first kQueries queries of the MS MARCO sample with their BM25 top 20:
// each reduced dtype against the cpu backend's fp32 (itself within 1e-4 of transformers on the
// conformance model, by cpu_logits_test) within the issues' bounds: cpu bf16 3e-2 and int8 0.15
// (issue 5), cuda fp16 and bf16 3e-2 (issue 6), and for all a mean per-query Kendall tau of at
// least 0.98. A backend or dtype this machine cannot run is skipped, naming why.
//
// Why not on the conformance model: tools/quant_error_budget.py emulates the int8 scheme in
// PyTorch; on the random model the emulation is 0.23 from fp32, and rerankd's own int8 differs
// from that emulation by 0.18: the random model amplifies any rounding, so it cannot tell a
// good reduced-precision path from a bad one at these bounds.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <string>

#include "backend/backend.h"
#include "model/bert_model.h"
#include "model/model_dir.h"
#include "ranking_agreement.h"

namespace rerankd {
namespace {

constexpr std::size_t kQueries = 100;
constexpr double kMinMeanTau = 0.98;

struct AccuracyCase {
  const char* backend;
  const char* dtype;
  double max_abs_diff;  // against cpu fp32, the bound
};

const AccuracyCase kCases[] = {
    {"cpu", "bf16", 3e-2}, {"cpu", "int8", 0.15}, {"cuda", "fp16", 3e-2}, {"cuda", "bf16", 3e-2}};

// For test names and failure messages (gtest would print the struct's bytes).
void PrintTo(const AccuracyCase& c, std::ostream* os) { *os << c.backend << ' ' << c.dtype; }

class TrainedModelAccuracyTest : public ::testing::TestWithParam<AccuracyCase> {
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
    // The backends check the dtype against the CPU, and the GPU, before the model.
    const auto probe = backend::create_backend(candidate_options(), nullptr);
    const StatusCode code = probe.status().code();
    if (code == StatusCode::kUnimplemented || code == StatusCode::kFailedPrecondition) {
      GTEST_SKIP() << probe.status().message();
    }
  }

  backend::BackendOptions candidate_options() const {
    return backend::BackendOptions{
        .name = GetParam().backend, .dtype = GetParam().dtype, .threads = 0};
  }

  std::filesystem::path model_dir_;
};

TEST_P(TrainedModelAccuracyTest, RankingAndLogitsAgreeWithFp32OnMsMarco) {
  const AccuracyCase& c = GetParam();
  auto model = model::BertModel::load(model_dir_);
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  auto candidate = backend::create_backend(candidate_options(), *model);
  ASSERT_TRUE(candidate.ok()) << candidate.status().to_string();

  const auto agreement = testing::compare_with_baseline_on_msmarco(
      model_dir_, backend::BackendOptions{.name = "cpu", .dtype = "fp32", .threads = 0},
      **candidate, kQueries);
  std::printf("trained model %s, %s %s vs cpu fp32: %s\n", model_dir_.c_str(), c.backend, c.dtype,
              agreement.to_string().c_str());
  EXPECT_EQ(agreement.queries, kQueries);
  EXPECT_LE(agreement.max_abs_diff, c.max_abs_diff) << agreement.to_string();
  EXPECT_GE(agreement.mean_tau, kMinMeanTau) << agreement.to_string();
}

INSTANTIATE_TEST_SUITE_P(BackendsAndDtypes, TrainedModelAccuracyTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<AccuracyCase>& param_info) {
                           return std::string(param_info.param.backend) + "_" +
                                  param_info.param.dtype;
                         });

}  // namespace
}  // namespace rerankd
