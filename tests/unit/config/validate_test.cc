#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"

namespace rerankd::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The message of validate() after one override, which must fail.
std::string invalid_after(std::string_view key, std::string_view value) {
  Config config;
  const Status set = apply_override(config, key, value);
  EXPECT_TRUE(set.ok()) << set.to_string();
  const Status status = config.validate();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << key << "=" << value;
  return status.message();
}

void expect_valid_after(std::string_view key, std::string_view value) {
  Config config;
  ASSERT_TRUE(apply_override(config, key, value).ok());
  EXPECT_TRUE(config.validate().ok())
      << key << "=" << value << ": " << config.validate().to_string();
}

TEST(Validate, DefaultIsValid) { EXPECT_TRUE(Config{}.validate().ok()); }

TEST(Validate, EachBadValueNamesItsKeyAndValue) {
  EXPECT_EQ(invalid_after("batching.timeout_ms", "-1"), "batching.timeout_ms: -1 is negative");
  EXPECT_EQ(invalid_after("server.port", "65536"), "server.port: 65536 is not in 0..65535");
  EXPECT_EQ(invalid_after("server.port", "-1"), "server.port: -1 is not in 0..65535");
  EXPECT_EQ(invalid_after("batching.max_batch_size", "0"), "batching.max_batch_size: 0 is below 1");
  EXPECT_THAT(invalid_after("batching.max_batch_tokens", "0"),
              HasSubstr("batching.max_batch_tokens: 0 is below 1"));
  EXPECT_EQ(invalid_after("server.max_concurrency", "0"),
            "server.max_concurrency: 0 is not in 1..1024");
  EXPECT_EQ(invalid_after("server.max_client_batch_size", "0"),
            "server.max_client_batch_size: 0 is below 1");
  EXPECT_THAT(invalid_after("server.max_queue_pairs", "0"),
              HasSubstr("server.max_queue_pairs: 0 is below 1"));
  EXPECT_EQ(invalid_after("model.max_length", "3"), "model.max_length: 3 is not in 4..8192");
  EXPECT_EQ(invalid_after("model.max_length", "8193"), "model.max_length: 8193 is not in 4..8192");
  EXPECT_EQ(invalid_after("model.dtype", "fp64"),
            "model.dtype: 'fp64' is not one of fp32, fp16, bf16, int8");
  EXPECT_EQ(invalid_after("model.backend", ""), "model.backend: is empty");
  EXPECT_EQ(invalid_after("model.path", ""), "model.path: is empty");
  EXPECT_EQ(invalid_after("model.device", "-1"), "model.device: -1 is negative");
  EXPECT_EQ(invalid_after("model.threads", "-2"), "model.threads: -2 is not in 0..1024");
  EXPECT_EQ(invalid_after("server.io_threads", "0"), "server.io_threads: 0 is not in 1..1024");
  EXPECT_EQ(invalid_after("server.tokenizer_threads", "5000"),
            "server.tokenizer_threads: 5000 is not in 0..1024");
  EXPECT_EQ(invalid_after("server.host", ""), "server.host: is empty");
  EXPECT_EQ(invalid_after("server.request_timeout_ms", "0"),
            "server.request_timeout_ms: 0 is below 1");
  EXPECT_EQ(invalid_after("server.max_body_bytes", "0"), "server.max_body_bytes: 0 is below 1");
  EXPECT_EQ(invalid_after("server.header_timeout_ms", "0"),
            "server.header_timeout_ms: 0 is below 1");
  EXPECT_EQ(invalid_after("server.body_timeout_ms", "-5"), "server.body_timeout_ms: -5 is below 1");
  EXPECT_EQ(invalid_after("server.idle_timeout_ms", "0"), "server.idle_timeout_ms: 0 is below 1");
}

TEST(Validate, BoundaryValuesAreAccepted) {
  expect_valid_after("server.port", "0");
  expect_valid_after("server.port", "65535");
  expect_valid_after("batching.timeout_ms", "0");
  expect_valid_after("batching.max_batch_size", "1");
  expect_valid_after("model.max_length", "4");
  expect_valid_after("model.max_length", "0");  // the model's own limit
  expect_valid_after("model.threads", "0");
  expect_valid_after("server.tokenizer_threads", "0");
  for (const char* dtype : {"fp32", "fp16", "bf16", "int8"})
    expect_valid_after("model.dtype", dtype);
}

TEST(Validate, EmptyDeviceList) {
  Config config;
  config.model.device.clear();
  EXPECT_EQ(config.validate().message(), "model.device: is an empty list");
}

TEST(Validate, RelationsBetweenKeys) {
  Config config;
  config.model.max_length = 512;
  config.batching.max_batch_tokens = 256;
  EXPECT_THAT(config.validate().message(),
              HasSubstr("batching.max_batch_tokens: 256 is below model.max_length 512"));

  Config queue;
  queue.server.max_client_batch_size = 100;
  queue.server.max_queue_pairs = 99;
  EXPECT_THAT(queue.validate().message(),
              HasSubstr("server.max_queue_pairs: 99 is below server.max_client_batch_size 100"));
  queue.server.max_queue_pairs = 100;
  EXPECT_TRUE(queue.validate().ok());
  // A queue smaller than a batch is fine: batches then close by timeout.
  queue.batching.max_batch_size = 1000;
  EXPECT_TRUE(queue.validate().ok());
}

TEST(Validate, ReportsEveryProblemAtOnce) {
  Config config;
  config.server.port = 70000;
  config.batching.timeout_ms = -1;
  EXPECT_EQ(config.validate().message(),
            "batching.timeout_ms: -1 is negative; server.port: 70000 is not in 0..65535");
}

TEST(Validate, ApiKeyProblemsNeverShowTheKey) {
  Config config;
  config.server.api_key = "secret with space";
  const std::string message = config.validate().message();
  EXPECT_THAT(message, HasSubstr("server.api_key: contains a space"));
  EXPECT_THAT(message, Not(HasSubstr("secret")));

  config.server.api_key = std::string(kRedactedApiKey);
  EXPECT_THAT(config.validate().message(), HasSubstr("server.api_key: is the placeholder"));

  config.server.api_key = "s3cret-Token_1";
  EXPECT_TRUE(config.validate().ok());
}

}  // namespace
}  // namespace rerankd::config
