#include "app/env_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace rerankd::app {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

EnvironmentOverrides from(const std::map<std::string, std::string>& env) {
  return environment_overrides([&env](const char* name) -> const char* {
    const auto found = env.find(name);
    return found == env.end() ? nullptr : found->second.c_str();
  });
}

TEST(EnvConfig, TeiNamesMapOntoConfigKeysInFileOrder) {
  const auto result = from({{"PORT", "3000"},
                            {"MODEL_ID", "BAAI/bge-reranker-base"},
                            {"MAX_BATCH_TOKENS", "32768"},
                            {"DTYPE", "float16"},
                            {"AUTO_TRUNCATE", "false"}});
  EXPECT_THAT(result.overrides,
              ElementsAre(Pair("model.path", "BAAI/bge-reranker-base"), Pair("model.dtype", "fp16"),
                          Pair("batching.max_batch_tokens", "32768"), Pair("server.port", "3000"),
                          Pair("server.auto_truncate", "false")));
  EXPECT_THAT(result.warnings, IsEmpty());
}

TEST(EnvConfig, RerankdNamesCoverEveryKeyAndWinOverTeiNames) {
  const auto result = from({{"PORT", "3000"},
                            {"RERANKD_SERVER_PORT", "4000"},
                            {"RERANKD_BATCHING_CLOSE_WHEN_IDLE", "false"}});
  EXPECT_THAT(result.overrides,
              ElementsAre(Pair("batching.close_when_idle", "false"), Pair("server.port", "4000")));
}

TEST(EnvConfig, AContainerHostnameIsNoAddressToBind) {
  const auto result = from({{"HOSTNAME", "3f2a9c1b7d4e"}});
  EXPECT_THAT(result.overrides, IsEmpty());
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_THAT(from({{"HOSTNAME", "127.0.0.1"}}).overrides,
              ElementsAre(Pair("server.host", "127.0.0.1")));
}

TEST(EnvConfig, NothingSetIsNothingChanged) { EXPECT_THAT(from({}).overrides, IsEmpty()); }

}  // namespace
}  // namespace rerankd::app
