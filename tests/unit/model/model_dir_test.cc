#include "model/hub/model_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "model_test_util.h"
#include "support/test_env.h"

namespace rerankd::model {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

class ModelDirTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = rerankd::testing::make_temp_dir("model-dir"); }
  void TearDown() override { fs::remove_all(root_); }

  fs::path make_snapshot(const fs::path& cache, const std::string& repo, const std::string& rev) {
    const fs::path dir = cache / repo / "snapshots" / rev;
    fs::create_directories(dir);
    testing::write_file(dir / "config.json", "{}");
    return dir;
  }

  fs::path root_;
};

TEST_F(ModelDirTest, DirectoryWithConfigIsUsedAsIs) {
  testing::write_file(root_ / "config.json", "{}");
  const auto dir = resolve_model_dir(root_.string(), {});
  ASSERT_TRUE(dir.ok()) << dir.status().to_string();
  EXPECT_EQ(*dir, root_);
}

TEST_F(ModelDirTest, HubIdFollowsRefsMain) {
  const fs::path cache = root_ / "hub";
  make_snapshot(cache, "models--cross-encoder--ms-marco-MiniLM-L-6-v2", "aaaa");
  const fs::path wanted =
      make_snapshot(cache, "models--cross-encoder--ms-marco-MiniLM-L-6-v2", "bbbb");
  fs::create_directories(cache / "models--cross-encoder--ms-marco-MiniLM-L-6-v2" / "refs");
  testing::write_file(cache / "models--cross-encoder--ms-marco-MiniLM-L-6-v2" / "refs" / "main",
                      "bbbb");  // huggingface_hub writes no newline
  const auto dir =
      resolve_model_dir("cross-encoder/ms-marco-MiniLM-L-6-v2", HubCacheDirs{{root_ / "x", cache}});
  ASSERT_TRUE(dir.ok()) << dir.status().to_string();
  EXPECT_EQ(*dir, wanted);
}

TEST_F(ModelDirTest, HubIdWithoutRefsTakesTheOnlySnapshot) {
  const fs::path cache = root_ / "hub";
  const fs::path only = make_snapshot(cache, "models--org--name", "cafe");
  const auto dir = resolve_model_dir("org/name", HubCacheDirs{{cache}});
  ASSERT_TRUE(dir.ok()) << dir.status().to_string();
  EXPECT_EQ(*dir, only);
}

TEST_F(ModelDirTest, NotFoundNamesEveryPlaceTried) {
  const fs::path cache_a = root_ / "a";
  const fs::path cache_b = root_ / "b";
  fs::create_directories(cache_b / "models--org--name" / "snapshots");
  const auto dir = resolve_model_dir("org/name", HubCacheDirs{{cache_a, cache_b}});
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(dir.status().message(), HasSubstr("org/name"));
  EXPECT_THAT(dir.status().message(), HasSubstr((cache_a / "models--org--name").string()));
  EXPECT_THAT(dir.status().message(), HasSubstr((cache_b / "models--org--name").string()));
}

TEST_F(ModelDirTest, DirectoryWithoutConfigAndNonHubIds) {
  auto dir = resolve_model_dir(root_.string(), {});
  ASSERT_FALSE(dir.ok());
  EXPECT_THAT(dir.status().message(), HasSubstr("no config.json"));
  dir = resolve_model_dir("../escape/attempt", HubCacheDirs{{root_}});
  ASSERT_FALSE(dir.ok());
  EXPECT_THAT(dir.status().message(), HasSubstr("not a hub id"));
}

TEST(HubCacheDirs, EnvironmentOrder) {
  ::setenv("HF_HUB_CACHE", "/c/hub-cache", 1);
  ::setenv("HUGGINGFACE_HUB_CACHE", "/c/legacy", 1);
  ::setenv("HF_HOME", "/c/home", 1);
  ::setenv("XDG_CACHE_HOME", "/c/xdg", 1);
  ::setenv("HOME", "/c/user", 1);
  EXPECT_THAT(
      hub_cache_dirs_from_environment().roots,
      ElementsAre(fs::path("/c/hub-cache"), fs::path("/c/legacy"), fs::path("/c/home/hub"),
                  fs::path("/c/xdg/huggingface/hub"), fs::path("/c/user/.cache/huggingface/hub")));
  ::unsetenv("HF_HUB_CACHE");
  ::unsetenv("HUGGINGFACE_HUB_CACHE");
  ::unsetenv("HF_HOME");
  ::unsetenv("XDG_CACHE_HOME");
  EXPECT_THAT(hub_cache_dirs_from_environment().roots,
              ElementsAre(fs::path("/c/user/.cache/huggingface/hub")));
}

}  // namespace
}  // namespace rerankd::model
