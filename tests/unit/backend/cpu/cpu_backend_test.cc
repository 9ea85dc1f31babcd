// The cpu backend as the factory builds it (model-free cases; the conformance test
// tests/conformance/cpu_logits_test.cc runs it on a real model).
#include "backend/cpu/cpu_backend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rerankd::backend {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

TEST(CpuBackendFactory, CpuIsAvailable) { EXPECT_THAT(available_backends(), Contains("cpu")); }

TEST(CpuBackendFactory, OtherDtypesAreUnimplementedAndNamed) {
  for (const char* dtype : {"fp16", "int4", "FP32"}) {
    BackendOptions options{.name = "cpu", .dtype = dtype};
    const auto backend = create_backend(options, nullptr);
    ASSERT_FALSE(backend.ok()) << dtype;
    EXPECT_EQ(backend.status().code(), StatusCode::kUnimplemented);
    EXPECT_THAT(backend.status().message(),
                HasSubstr("backend 'cpu' has no dtype '" + std::string(dtype) + "'"));
    EXPECT_THAT(backend.status().message(), HasSubstr("available: fp32, bf16, int8"));
  }
}

// The dtype is checked against the CPU before the model, so a null model shows whether it runs:
// int8 runs on any x86-64 oneDNN supports; bf16 only with AVX-512, and says so otherwise.
TEST(CpuBackendFactory, Int8RunsAndBf16NamesWhatItNeeds) {
  BackendOptions options{.name = "cpu", .dtype = "int8"};
  EXPECT_EQ(create_backend(options, nullptr).status().code(), StatusCode::kInvalidArgument);
  options.dtype = "bf16";
  const auto bf16 = create_backend(options, nullptr);
  if (bf16.status().code() == StatusCode::kUnimplemented) {
    EXPECT_THAT(bf16.status().message(),
                HasSubstr("cpu backend: bf16 needs AVX-512 (oneDNN sees "));
    EXPECT_THAT(bf16.status().message(), HasSubstr("available here: fp32, int8"));
    GTEST_SKIP() << bf16.status().message();
  }
  EXPECT_EQ(bf16.status().code(), StatusCode::kInvalidArgument) << bf16.status().to_string();
}

TEST(CpuBackendFactory, MissingModelOrNegativeThreadsIsInvalidArgument) {
  BackendOptions options{.name = "cpu"};
  EXPECT_EQ(create_backend(options, nullptr).status().code(), StatusCode::kInvalidArgument);
  options.threads = -2;
  EXPECT_EQ(create_backend(options, nullptr).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rerankd::backend
