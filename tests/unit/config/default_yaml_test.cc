// configs/default.yaml: loads, equals the values it documents, and lists every key with a
// comment above it.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "config/config.h"

namespace rerankd::config {
namespace {

const std::filesystem::path kDefaultYaml =
    std::filesystem::path(RERANKD_CONFIGS_DIR) / "default.yaml";

TEST(DefaultYaml, LoadsAndIsValid) {
  Result<Config> config = load_config_file(kDefaultYaml);
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  EXPECT_TRUE(config->validate().ok()) << config->validate().to_string();
}

TEST(DefaultYaml, IsTheStudysRecommendedConfig) {
  Result<Config> config = load_config_file(kDefaultYaml);
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  // experiment-summary.md, "Optimal Production Configuration".
  EXPECT_TRUE(config->batching.enabled);
  EXPECT_EQ(config->batching.max_batch_size, 64);
  EXPECT_EQ(config->batching.timeout_ms, 50);
  EXPECT_EQ(config->server.max_concurrency, 4);
  // Everything else as documented in the file, which is the built-in default: a server run
  // without --config behaves exactly as one run with default.yaml.
  EXPECT_EQ(*config, Config{});
}

TEST(DefaultYaml, EveryKeyIsPresentWithACommentAbove) {
  std::ifstream in(kDefaultYaml);
  ASSERT_TRUE(in) << kDefaultYaml;
  std::set<std::string> keys;
  std::string section;
  std::string line;
  std::string previous;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#' && line.back() == ':') {
      section = line.substr(0, line.size() - 1);
    } else if (line.starts_with("  ") && line[2] != ' ' && line[2] != '#') {
      const std::string key = section + "." + line.substr(2, line.find(':') - 2);
      EXPECT_TRUE(previous.starts_with("  #")) << key << " has no comment above it";
      keys.insert(key);
    }
    previous = line;
  }
  const std::vector<std::string> expected = config_keys();
  EXPECT_EQ(keys, std::set<std::string>(expected.begin(), expected.end()));
}

}  // namespace
}  // namespace rerankd::config
