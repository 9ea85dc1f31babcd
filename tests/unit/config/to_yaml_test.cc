#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"

namespace rerankd::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Config reread(const Config& config) {
  Result<Config> again = parse_config_yaml(to_yaml(config), "<print-config>");
  EXPECT_TRUE(again.ok()) << again.status().to_string() << "\n" << to_yaml(config);
  return again.ok() ? *again : Config{};
}

TEST(ToYaml, DefaultRoundTrips) { EXPECT_EQ(reread(Config{}), Config{}); }

TEST(ToYaml, EveryFieldChangedRoundTrips) {
  Config config;
  config.model.path = "/models/with: colon # and hash";
  config.model.backend = "cpu";
  config.model.device = {2, 3};
  config.model.dtype = "fp16";
  config.model.max_length = 300;
  config.model.threads = 6;
  config.batching.enabled = false;
  config.batching.max_batch_size = 7;
  config.batching.max_batch_tokens = 900;
  config.batching.timeout_ms = 0;
  config.batching.sort_by_length = false;
  config.batching.deadline_aware = false;
  config.server.host = "::1";
  config.server.port = 0;
  config.server.max_concurrency = 9;
  config.server.max_queue_pairs = 77;
  config.server.max_client_batch_size = 11;
  config.server.auto_truncate = false;
  config.server.request_timeout_ms = 12;
  config.server.io_threads = 13;
  config.server.tokenizer_threads = 14;
  config.server.max_body_bytes = std::int64_t{1} << 40;
  config.server.header_timeout_ms = 15;
  config.server.body_timeout_ms = 16;
  config.server.idle_timeout_ms = 17;
  config.server.max_header_bytes = 2048;
  config.server.max_connections = 18;
  config.server.max_idle_connections = 19;
  config.server.max_buffered_body_bytes = std::int64_t{1} << 41;
  EXPECT_EQ(reread(config), config);
}

TEST(ToYaml, AwkwardStringsRoundTrip) {
  Config config;
  for (const std::string& path :
       {std::string(" leading space"), std::string("quote \" and \\ backslash"),
        std::string("tab\tnewline\n"), std::string("true"), std::string("123"),
        std::string("- dash"), std::string("ünïcödé/模型"), std::string("")}) {
    config.model.path = path;
    EXPECT_EQ(reread(config).model.path, path);
  }
}

TEST(ToYaml, ListsEveryKeyInOrder) {
  const std::string yaml = to_yaml(Config{});
  std::size_t position = 0;
  for (const std::string& key : config_keys()) {
    const std::string leaf = "  " + key.substr(key.find('.') + 1) + ": ";
    const std::size_t found = yaml.find(leaf, position);
    ASSERT_NE(found, std::string::npos) << key << " missing or out of order in\n" << yaml;
    position = found;
  }
  EXPECT_THAT(yaml, HasSubstr("batching:\n  enabled: true\n  max_batch_size: 64\n"));
  EXPECT_THAT(yaml, HasSubstr("  device: [0]\n"));
}

TEST(ToYaml, NeverPrintsTheApiKey) {
  Config config;
  EXPECT_THAT(to_yaml(config), HasSubstr("  api_key: \"\"\n"));
  config.server.api_key = "hunter2-very-secret";
  const std::string yaml = to_yaml(config);
  EXPECT_THAT(yaml, Not(HasSubstr("hunter2")));
  EXPECT_THAT(yaml, HasSubstr("  api_key: \"<set>\"\n"));
  // Fed back, the placeholder parses but fails validation instead of becoming the key.
  const Config again = reread(config);
  EXPECT_EQ(again.server.api_key, kRedactedApiKey);
  EXPECT_THAT(again.validate().message(), HasSubstr("server.api_key: is the placeholder"));
}

}  // namespace
}  // namespace rerankd::config
