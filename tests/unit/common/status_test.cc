#include <gtest/gtest.h>

#include "common/result.h"

namespace rerankd {
namespace {

Result<int> parse_positive(int value) {
  if (value <= 0) return invalid_argument("value " + std::to_string(value) + " is not positive");
  return value;
}

Result<int> doubled(int value) {
  RERANKD_ASSIGN_OR_RETURN(const int parsed, parse_positive(value));
  return parsed * 2;
}

TEST(Status, DefaultIsOk) {
  const Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.to_string(), "ok");
}

TEST(Status, ErrorKeepsCodeAndMessage) {
  const Status status = not_found("config.json: no such file");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.to_string(), "not_found: config.json: no such file");
}

TEST(Status, WithContextPrefixesMessage) {
  const Status status = data_loss("truncated").with_context("model.safetensors");
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(status.message(), "model.safetensors: truncated");
}

TEST(Result, AssignOrReturnPropagatesErrors) {
  EXPECT_EQ(*doubled(21), 42);
  const auto failed = doubled(-1);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "value -1 is not positive");
}

}  // namespace
}  // namespace rerankd
