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
  for (const char* dtype : {"bf16", "int8", "fp16"}) {
    BackendOptions options{.name = "cpu", .dtype = dtype};
    const auto backend = create_backend(options, nullptr);
    ASSERT_FALSE(backend.ok()) << dtype;
    EXPECT_EQ(backend.status().code(), StatusCode::kUnimplemented);
    EXPECT_THAT(backend.status().message(),
                HasSubstr("backend 'cpu' has no dtype '" + std::string(dtype) + "' yet"));
    EXPECT_THAT(backend.status().message(), HasSubstr("available: fp32"));
  }
}

TEST(CpuBackendFactory, MissingModelOrNegativeThreadsIsInvalidArgument) {
  BackendOptions options{.name = "cpu"};
  EXPECT_EQ(create_backend(options, nullptr).status().code(), StatusCode::kInvalidArgument);
  options.threads = -2;
  EXPECT_EQ(create_backend(options, nullptr).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rerankd::backend
