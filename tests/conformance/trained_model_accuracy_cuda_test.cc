// Issue 14: the cuda backend's fp16 and bf16 on the trained stand-in cross-encoder
// (trained_model.h) against cpu fp32: within 3e-2, a mean per-query Kendall tau of at least 0.98
// and MRR@10 within 0.005 of fp32's. Label cuda: run on a GPU machine.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "backend/backend.h"
#include "trained_model.h"

namespace rerankd {
namespace {

const char* const kDtypes[] = {"fp16", "bf16"};

class TrainedModelCudaAccuracyTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TrainedModelCudaAccuracyTest, RankingAndLogitsAgreeWithCpuFp32OnHeldOutQueries) {
  const backend::BackendOptions options{.name = "cuda", .dtype = GetParam(), .threads = 0};
  if (const auto why = testing::why_backend_cannot_run(options)) GTEST_SKIP() << *why;
  std::string why;
  const auto model_dir = testing::trained_model_dir(why);
  if (!model_dir) GTEST_SKIP() << why;
  testing::expect_within_bounds_of_cpu_fp32(*model_dir, options, {.max_abs_diff = 3e-2});
}

INSTANTIATE_TEST_SUITE_P(CudaDtypes, TrainedModelCudaAccuracyTest, ::testing::ValuesIn(kDtypes),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                           return std::string("cuda_") + param_info.param;
                         });

}  // namespace
}  // namespace rerankd
