#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"

namespace rerankd::config {
namespace {

using ::testing::HasSubstr;

TEST(ApplyOverride, SetsEachType) {
  Config config;
  ASSERT_TRUE(apply_override(config, "batching.max_batch_size", "96").ok());
  ASSERT_TRUE(apply_override(config, "batching.enabled", "false").ok());
  ASSERT_TRUE(apply_override(config, "model.path", "/models/x y").ok());
  ASSERT_TRUE(apply_override(config, "model.device", "0, 1,2").ok());
  ASSERT_TRUE(apply_override(config, "server.max_body_bytes", "4294967296").ok());
  EXPECT_EQ(config.batching.max_batch_size, 96);
  EXPECT_FALSE(config.batching.enabled);
  EXPECT_EQ(config.model.path, "/models/x y");
  EXPECT_EQ(config.model.device, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(config.server.max_body_bytes, 4294967296);
}

TEST(ApplyOverride, SingleDevice) {
  Config config;
  ASSERT_TRUE(apply_override(config, "model.device", "3").ok());
  EXPECT_EQ(config.model.device, std::vector<int>{3});
}

TEST(ApplyOverride, EmptyStringClearsAString) {
  Config config;
  config.server.api_key = "k";
  ASSERT_TRUE(apply_override(config, "server.api_key", "").ok());
  EXPECT_EQ(config.server.api_key, "");
}

TEST(ApplyOverride, ErrorsMatchTheYamlMessagesWithoutAFilePrefix) {
  Config config;
  Status status = apply_override(config, "server.port", "abc");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "server.port: expected an integer, got 'abc'");
  EXPECT_EQ(apply_override(config, "batching.enabled", "1").message(),
            "batching.enabled: expected true or false, got '1'");
  EXPECT_EQ(apply_override(config, "server.port", "").message(),
            "server.port: expected an integer, got ''");
  EXPECT_THAT(apply_override(config, "model.device", "0,,1").message(),
              HasSubstr("model.device: expected an integer or a list of integers"));
  EXPECT_EQ(apply_override(config, "batching.max_batch_sise", "8").message(),
            "batching.max_batch_sise: unknown key; did you mean batching.max_batch_size?");
  EXPECT_EQ(apply_override(config, "batching", "8").message(), "batching: unknown key");
  // A failed override leaves the field as it was.
  EXPECT_EQ(config, Config{});
}

TEST(ApplyOverrides, AppliesInOrderAndStopsAtTheFirstError) {
  Config config;
  EXPECT_TRUE(apply_overrides(config, {{"server.port", "1"}, {"server.port", "2"}}).ok());
  EXPECT_EQ(config.server.port, 2);
  const Status status =
      apply_overrides(config, {{"server.port", "3"}, {"server.prot", "4"}, {"server.port", "5"}});
  EXPECT_THAT(status.message(), HasSubstr("server.prot: unknown key"));
  EXPECT_EQ(config.server.port, 3);
}

TEST(ConfigKeyHelp, KnownAndUnknownKeys) {
  EXPECT_THAT(std::string(config_key_help("server.port")), HasSubstr("0 = any free port"));
  EXPECT_TRUE(config_key_help("server.nope").empty());
}

}  // namespace
}  // namespace rerankd::config
