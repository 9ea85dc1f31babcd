#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backend/backend.h"

namespace rerankd::backend {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

TEST(BackendFactory, ReferenceIsAvailable) {
  EXPECT_THAT(available_backends(), Contains("reference"));
}

TEST(BackendFactory, UnknownBackendIsUnimplementedAndListsWhatExists) {
  BackendOptions options;
  options.name = "tpu";
  const auto backend = create_backend(options, nullptr);
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(backend.status().message(), HasSubstr("'tpu'"));
  EXPECT_THAT(backend.status().message(), HasSubstr("available: reference"));
}

TEST(BackendFactory, ReferenceOnlyDoesFp32) {
  for (const char* dtype : {"fp16", "bf16", "int8", ""}) {
    BackendOptions options;
    options.dtype = dtype;
    const auto backend = create_backend(options, nullptr);
    ASSERT_FALSE(backend.ok()) << dtype;
    EXPECT_EQ(backend.status().code(), StatusCode::kUnimplemented);
    EXPECT_THAT(backend.status().message(), HasSubstr("'" + std::string(dtype) + "'"));
    EXPECT_THAT(backend.status().message(), HasSubstr("available: fp32"));
  }
}

TEST(BackendFactory, MissingModelIsInvalidArgument) {
  const auto backend = create_backend(BackendOptions{}, nullptr);
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.status().code(), StatusCode::kInvalidArgument);
}

TEST(BackendFactory, NegativeThreadsIsInvalidArgument) {
  BackendOptions options;
  options.threads = -1;
  // Checked before the model, so no model is needed to see it.
  const auto backend = create_backend(options, nullptr);
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rerankd::backend
