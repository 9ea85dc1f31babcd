// The Hub client's pure parts: naming a model, reading the environment as huggingface_hub does,
// choosing files, and the cache layout.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "model/hub/hub_cache.h"
#include "model/hub/hub_download.h"
#include "model/hub/hub_settings.h"
#include "model/hub/model_source.h"
#include "model/hub/repo_ref.h"
#include "model/hub/sha256_file.h"

namespace rerankd::model::hub {
namespace {

namespace fs = std::filesystem;

TEST(RepoRef, SplitsIdAndRevision) {
  auto plain = parse_repo_ref("BAAI/bge-reranker-v2-m3", "");
  ASSERT_TRUE(plain.ok()) << plain.status().to_string();
  EXPECT_EQ(plain->id, "BAAI/bge-reranker-v2-m3");
  EXPECT_EQ(plain->revision, "main");
  auto tagged = parse_repo_ref("org/name@v1.0", "");
  ASSERT_TRUE(tagged.ok());
  EXPECT_EQ(tagged->revision, "v1.0");
  auto flag = parse_repo_ref("org/name", "refs/pr/3");
  ASSERT_TRUE(flag.ok());
  EXPECT_EQ(flag->revision, "refs/pr/3");
  EXPECT_TRUE(parse_repo_ref("org/name@dev", "dev").ok());
}

TEST(RepoRef, RefusesWhatCannotBeAHubId) {
  EXPECT_FALSE(parse_repo_ref("a/b/c", "").ok());
  EXPECT_FALSE(parse_repo_ref("../etc", "").ok());
  EXPECT_FALSE(parse_repo_ref("org/", "").ok());
  EXPECT_FALSE(parse_repo_ref("org/name@", "").ok());
  EXPECT_FALSE(parse_repo_ref("org/name@../../x", "").ok());
  const auto clash = parse_repo_ref("org/name@v1", "v2");
  ASSERT_FALSE(clash.ok());
  EXPECT_NE(clash.status().message().find("--revision"), std::string::npos);
}

TEST(RepoRef, CommitHashAndFolderName) {
  EXPECT_TRUE(is_commit_hash("0123456789abcdef0123456789abcdef01234567"));
  EXPECT_FALSE(is_commit_hash("main"));
  EXPECT_FALSE(is_commit_hash("0123456789ABCDEF0123456789abcdef01234567"));
  EXPECT_EQ(repo_folder_name("cross-encoder/ms-marco-MiniLM-L-6-v2"),
            "models--cross-encoder--ms-marco-MiniLM-L-6-v2");
}

class HubEnvironment : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"HF_ENDPOINT", "HF_TOKEN", "HF_TOKEN_PATH", "HF_HOME", "HF_HUB_CACHE",
                             "HUGGINGFACE_HUB_CACHE", "HF_HUB_OFFLINE", "XDG_CACHE_HOME",
                             "HF_HUB_DOWNLOAD_TIMEOUT", "HF_HUB_ETAG_TIMEOUT"}) {
      unsetenv(name);
    }
    dir_ = fs::path(::testing::TempDir()) / "hub-env";
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  fs::path dir_;
};

TEST_F(HubEnvironment, DefaultsFollowHuggingfaceHub) {
  setenv("HOME", dir_.c_str(), 1);
  const HubSettings settings = hub_settings_from_environment();
  EXPECT_EQ(settings.endpoint, "https://huggingface.co");
  EXPECT_EQ(settings.cache, dir_ / ".cache" / "huggingface" / "hub");
  EXPECT_FALSE(settings.token.has_value());
  EXPECT_FALSE(settings.offline);
}

TEST_F(HubEnvironment, VariablesAndTheTokenFile) {
  setenv("HF_HOME", dir_.c_str(), 1);
  setenv("HF_ENDPOINT", "http://127.0.0.1:8080/", 1);
  std::ofstream(dir_ / "token") << "hf_from_file\n";
  HubSettings settings = hub_settings_from_environment();
  EXPECT_EQ(settings.endpoint, "http://127.0.0.1:8080");
  EXPECT_EQ(settings.cache, dir_ / "hub");
  EXPECT_EQ(settings.token.value_or(""), "hf_from_file");
  setenv("HF_TOKEN", "hf_from_env", 1);
  setenv("HF_HUB_CACHE", (dir_ / "elsewhere").c_str(), 1);
  setenv("HF_HUB_OFFLINE", "True", 1);
  setenv("HF_HUB_DOWNLOAD_TIMEOUT", "2.5", 1);
  settings = hub_settings_from_environment();
  EXPECT_EQ(settings.token.value_or(""), "hf_from_env");
  EXPECT_EQ(settings.cache, dir_ / "elsewhere");
  EXPECT_TRUE(settings.offline);
  EXPECT_EQ(settings.download_timeout_s, 3);
}

TEST(FilesToFetch, WeightsFirstConfigLastNothingElse) {
  const RepoRef ref{"org/name", "main"};
  const auto files = files_to_fetch(
      ref, {"README.md", "config.json", "model.safetensors", "pytorch_model.bin", "onnx/model.onnx",
            "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"});
  ASSERT_TRUE(files.ok()) << files.status().to_string();
  EXPECT_EQ(*files, (std::vector<std::string>{"model.safetensors", "tokenizer.json", "vocab.txt",
                                              "tokenizer_config.json", "special_tokens_map.json",
                                              "config.json"}));
  const auto sharded = files_to_fetch(
      ref, {"config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors"});
  ASSERT_TRUE(sharded.ok());
  EXPECT_EQ(sharded->front(), "model.safetensors.index.json");
}

TEST(FilesToFetch, PyTorchOnlyIsRefusedWithAWayOut) {
  const auto files = files_to_fetch({"org/old", "main"}, {"config.json", "pytorch_model.bin"});
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(files.status().message().find("pytorch_model.bin"), std::string::npos);
  EXPECT_NE(files.status().message().find("save_pretrained"), std::string::npos);
  const auto none = files_to_fetch({"org/empty", "main"}, {"README.md"});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("README.md"), std::string::npos);
}

TEST(HubCacheLayout, LinksRefsAndCompleteness) {
  const fs::path root = fs::path(::testing::TempDir()) / "hub-cache";
  fs::remove_all(root);
  const HubCache cache(root, "org/name");
  const std::string commit = "0123456789abcdef0123456789abcdef01234567";
  fs::create_directories(cache.blob("x").parent_path());
  std::ofstream(cache.blob("etag-config")) << "{}";
  std::ofstream(cache.blob("etag-weights")) << "w";
  ASSERT_TRUE(cache.link(commit, "config.json", "etag-config").ok());
  EXPECT_FALSE(is_complete_snapshot(cache.snapshot(commit)));
  ASSERT_TRUE(cache.link(commit, "model.safetensors", "etag-weights").ok());
  EXPECT_TRUE(is_complete_snapshot(cache.snapshot(commit)));
  EXPECT_EQ(fs::read_symlink(cache.snapshot(commit) / "config.json"),
            fs::path("../../blobs/etag-config"));
  ASSERT_TRUE(cache.link(commit, "sub/dir/file.json", "etag-config").ok());
  EXPECT_EQ(fs::read_symlink(cache.snapshot(commit) / "sub/dir/file.json"),
            fs::path("../../../../blobs/etag-config"));
  EXPECT_FALSE(cache.commit_of("main").has_value());
  ASSERT_TRUE(cache.write_ref("main", commit).ok());
  EXPECT_EQ(cache.commit_of("main").value_or(""), commit);
  EXPECT_EQ(cache.commit_of(commit).value_or(""), commit);
  EXPECT_EQ(cache.lock_file("e"), root / ".locks" / "models--org--name" / "e.lock");

  HubSettings offline;
  offline.cache = root;
  offline.offline = true;
  const auto found = resolve_model("org/name", "", offline);
  ASSERT_TRUE(found.ok()) << found.status().to_string();
  EXPECT_EQ(*found, cache.snapshot(commit));
  const auto missing = resolve_model("org/other", "", offline);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("offline"), std::string::npos);
}

TEST(Sha256, OfAKnownFile) {
  const fs::path file = fs::path(::testing::TempDir()) / "abc.txt";
  std::ofstream(file) << "abc";
  const auto sha = sha256_of_file(file);
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(*sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace rerankd::model::hub
