#include "model/bert_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/random_model.h"
#include "model_test_util.h"
#include "support/memory_limited_child.h"
#include "support/test_env.h"

namespace rerankd::model {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class BertModelLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = rerankd::testing::make_temp_dir("bert-model");
    const Status status = write_random_model(testing::tiny_spec(), dir_);
    ASSERT_TRUE(status.ok()) << status.to_string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void edit_config(const std::string& from, const std::string& to) {
    std::string text = testing::read_all(dir_ / "config.json");
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    testing::write_file(dir_ / "config.json", text);
  }

  Status load_error() {
    auto model = BertModel::load(dir_);
    EXPECT_FALSE(model.ok());
    return model.ok() ? Status::ok_status() : model.status();
  }

  fs::path dir_;
};

TEST_F(BertModelLoad, LoadsAndKeepsDirectory) {
  const auto model = BertModel::load(dir_);
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  EXPECT_EQ((*model)->directory(), dir_);
  EXPECT_EQ((*model)->weights().layers[1].intermediate.weight.shape,
            (std::vector<std::int64_t>{64, 32}));
}

TEST_F(BertModelLoad, MissingDirectory) {
  const auto model = BertModel::load(dir_ / "nope");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(model.status().message(), HasSubstr("nope"));
}

TEST_F(BertModelLoad, MissingConfig) {
  fs::remove(dir_ / "config.json");
  const Status status = load_error();
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("config.json"));
}

TEST_F(BertModelLoad, MissingCheckpoint) {
  fs::remove(dir_ / "model.safetensors");
  const Status status = load_error();
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("model.safetensors"));
}

TEST_F(BertModelLoad, ShapeMismatchNamesTensorAndShapes) {
  edit_config("\"intermediate_size\": 64", "\"intermediate_size\": 48");
  const Status status = load_error();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("bert.encoder.layer.0.intermediate.dense.weight"));
  EXPECT_THAT(status.message(), HasSubstr("[64, 32]"));
  EXPECT_THAT(status.message(), HasSubstr("[48, 32]"));
}

TEST_F(BertModelLoad, MoreLayersThanTheCheckpointIsAMissingTensor) {
  edit_config("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3");
  const Status status = load_error();
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("num_hidden_layers 3"));
  EXPECT_THAT(status.message(), HasSubstr("the checkpoint has 2 encoder layers"));
  EXPECT_THAT(status.message(), HasSubstr("bert.encoder.layer.2.attention.self.query.weight"));
}

// A hostile config.json (issue 19): a billion layers once built a tensor list and weights for
// every declared layer before noticing the checkpoint lacks layer 2, until bad_alloc or the
// kernel's OOM killer. The load runs in a child under a 2 GiB address-space limit, so the old
// behaviour fails this test instead of exhausting the machine.
TEST_F(BertModelLoad, AHugeLayerCountIsRefusedBeforeAnythingIsSized) {
  edit_config("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 1000000000");
  const int status = rerankd::testing::run_in_child_with_memory_limit(std::size_t{2} << 30, [&] {
    const auto model = BertModel::load(dir_);
    if (model.ok()) return 10;
    const std::string& message = model.status().message();
    return message.find("num_hidden_layers 1000000000") != std::string::npos &&
                   message.find("has 2 encoder layers") != std::string::npos
               ? 0
               : 11;
  });
  EXPECT_EQ(status, 0) << "child exit status (10: loaded, 11: other error, 134: abort)";
}

// NaN weights loaded and answered `"score": null` for every pair (issue 19); now the load fails
// naming the tensor.
TEST_F(BertModelLoad, ANonFiniteWeightIsAnErrorNamingTheTensor) {
  std::string bytes = testing::read_all(dir_ / "model.safetensors");
  std::uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) {
    header_size = header_size << 8 | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  }
  const std::size_t data_start = 8 + static_cast<std::size_t>(header_size);
  const char quiet_nan_f32[4] = {0x00, 0x00, static_cast<char>(0xc0), 0x7f};
  bytes.replace(data_start + 4 * 3, 4, quiet_nan_f32, 4);  // the fourth float of the first tensor
  testing::write_file(dir_ / "model.safetensors", bytes);
  const Status status = load_error();
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("model.safetensors: tensor \""));
  EXPECT_THAT(status.message(), HasSubstr("holds a non-finite value (nan) at element 3"));
}

// A symlink loop in place of the checkpoint was reported as missing (issue 19).
TEST_F(BertModelLoad, ASymlinkLoopInPlaceOfTheCheckpointIsNamedAsOne) {
  fs::remove(dir_ / "model.safetensors");
  fs::create_symlink("model.safetensors", dir_ / "model.safetensors");
  const Status status = load_error();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("model.safetensors: a loop of symbolic links"));
}

TEST_F(BertModelLoad, ClassifierLabelsMustMatch) {
  edit_config("\"id2label\": {\"0\": \"LABEL_0\"}", "\"id2label\": {\"0\": \"a\", \"1\": \"b\"}");
  edit_config("\"label2id\": {\"LABEL_0\": 0}", "\"label2id\": {\"a\": 0, \"b\": 1}");
  const Status status = load_error();
  EXPECT_THAT(status.message(), HasSubstr("classifier.weight"));
  EXPECT_THAT(status.message(), HasSubstr("[2, 32]"));
}

TEST_F(BertModelLoad, UnknownArchitecture) {
  edit_config("BertForSequenceClassification", "DebertaV2ForSequenceClassification");
  const Status status = load_error();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("DebertaV2ForSequenceClassification"));
}

// A BertModel checkpoint (names without "bert.") needs the classifier head to be usable.
TEST(BertModelArchitecture, BertModelNeedsTheClassifierHead) {
  const fs::path dir = rerankd::testing::make_temp_dir("bert-model-plain");
  RandomModelSpec spec = testing::tiny_spec();
  spec.config.architecture = "BertModel";
  spec.bert_prefix = false;
  ASSERT_TRUE(write_random_model(spec, dir).ok());
  auto model = BertModel::load(dir);
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  EXPECT_EQ((*model)->config().architecture, "BertModel");

  // Rewrite the checkpoint without the classifier by listing every other tensor.
  const std::string bytes = testing::read_all(dir / "model.safetensors");
  std::uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i)
    header_size = (header_size << 8) | static_cast<unsigned char>(bytes[i]);
  std::string header = bytes.substr(8, header_size);
  // Rename the classifier tensors so they are no longer found (sizes stay valid).
  for (const char* from : {"\"classifier.weight\"", "\"classifier.bias\""}) {
    const auto at = header.find(from);
    ASSERT_NE(at, std::string::npos);
    header.replace(at + 1, 3, "zzz");
  }
  testing::write_file(dir / "model.safetensors",
                      bytes.substr(0, 8) + header + bytes.substr(8 + header_size));
  model = BertModel::load(dir);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(model.status().message(), HasSubstr("classifier.weight"));
  EXPECT_THAT(model.status().message(), HasSubstr("BertModel"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rerankd::model
