#include "model/random_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "model/bert_model.h"
#include "model/dtype_convert.h"
#include "model_test_util.h"
#include "support/test_env.h"

namespace rerankd::model {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class RandomModelTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = rerankd::testing::make_temp_dir("random-model"); }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const RandomModelSpec& spec, const std::string& name) {
    const fs::path out = dir_ / name;
    const Status status = write_random_model(spec, out);
    EXPECT_TRUE(status.ok()) << status.to_string();
    return out;
  }

  std::shared_ptr<const BertModel> load(const fs::path& path) {
    auto model = BertModel::load(path);
    EXPECT_TRUE(model.ok()) << model.status().to_string();
    return model.ok() ? *model : nullptr;
  }

  fs::path dir_;
};

// Every tensor of `a` and `b`, in order, as (values of a, values of b).
std::vector<std::pair<const Tensor*, const Tensor*>> tensor_pairs(const BertWeights& a,
                                                                  const BertWeights& b) {
  std::vector<std::pair<const Tensor*, const Tensor*>> pairs = {
      {&a.word_embeddings, &b.word_embeddings},
      {&a.position_embeddings, &b.position_embeddings},
      {&a.token_type_embeddings, &b.token_type_embeddings},
      {&a.embedding_norm.gamma, &b.embedding_norm.gamma},
      {&a.embedding_norm.beta, &b.embedding_norm.beta},
      {&a.pooler.weight, &b.pooler.weight},
      {&a.pooler.bias, &b.pooler.bias},
      {&a.classifier.weight, &b.classifier.weight},
      {&a.classifier.bias, &b.classifier.bias}};
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const auto& la = a.layers[i];
    const auto& lb = b.layers[i];
    for (const auto& [x, y] : {std::pair{&la.query, &lb.query},
                               {&la.key, &lb.key},
                               {&la.value, &lb.value},
                               {&la.attention_output, &lb.attention_output},
                               {&la.intermediate, &lb.intermediate},
                               {&la.output, &lb.output}}) {
      pairs.emplace_back(&x->weight, &y->weight);
      pairs.emplace_back(&x->bias, &y->bias);
    }
    pairs.emplace_back(&la.attention_norm.gamma, &lb.attention_norm.gamma);
    pairs.emplace_back(&la.attention_norm.beta, &lb.attention_norm.beta);
    pairs.emplace_back(&la.output_norm.gamma, &lb.output_norm.gamma);
    pairs.emplace_back(&la.output_norm.beta, &lb.output_norm.beta);
  }
  return pairs;
}

// Checks every value of `narrow` equals the F32 value of `wide` rounded by `round` and widened.
template <typename Round, typename Widen>
void expect_rounded_equal(const BertModel& wide, const BertModel& narrow, Round round,
                          Widen widen) {
  const auto pairs = tensor_pairs(wide.weights(), narrow.weights());
  ASSERT_EQ(pairs.size(), 9u + 16u * wide.weights().layers.size());
  for (const auto& [w, n] : pairs) {
    ASSERT_EQ(w->shape, n->shape);
    ASSERT_EQ(w->data.size(), n->data.size());
    for (std::size_t i = 0; i < w->data.size(); ++i) {
      ASSERT_EQ(widen(round(w->data[i])), n->data[i]) << "element " << i;
    }
  }
}

TEST_F(RandomModelTest, TinyModelLoadsWithConfig) {
  const auto model = load(write(testing::tiny_spec(), "tiny"));
  ASSERT_NE(model, nullptr);
  const BertConfig& config = model->config();
  EXPECT_TRUE(config.random_weights);
  EXPECT_EQ(config.hidden_size, 32);
  EXPECT_EQ(config.num_labels, 1);
  EXPECT_EQ(config.score_activation, ScoreActivation::kSigmoid);
  EXPECT_EQ(model->weights().layers.size(), 2u);
  EXPECT_EQ(model->weights().classifier.weight.shape, (std::vector<std::int64_t>{1, 32}));
  EXPECT_THAT(model->checkpoint_description(),
              HasSubstr("model.safetensors (F32, 1 file, 41 tensors"));
  // The values have the intended spread: gamma near 1, embeddings with std about 0.5.
  for (const float g : model->weights().embedding_norm.gamma.data) EXPECT_NEAR(g, 1.0f, 0.09f);
  double sum_sq = 0;
  for (const float v : model->weights().word_embeddings.data) sum_sq += double(v) * v;
  EXPECT_NEAR(std::sqrt(sum_sq / 3200.0), 0.5, 0.05);
}

TEST_F(RandomModelTest, SameSeedSameBytesOtherSeedOtherBytes) {
  RandomModelSpec spec = testing::tiny_spec();
  const auto a = write(spec, "a");
  const auto b = write(spec, "b");
  spec.seed += 1;
  const auto c = write(spec, "c");
  const std::string bytes_a = testing::read_all(a / "model.safetensors");
  EXPECT_GT(bytes_a.size(), 40'000u);
  EXPECT_EQ(bytes_a, testing::read_all(b / "model.safetensors"));
  EXPECT_NE(bytes_a, testing::read_all(c / "model.safetensors"));
  EXPECT_EQ(testing::read_all(a / "config.json"), testing::read_all(c / "config.json"));
}

TEST_F(RandomModelTest, F16Bf16ShardedAndUnprefixedVariantsMatchF32) {
  RandomModelSpec spec = testing::tiny_spec();
  const auto f32 = load(write(spec, "f32"));
  spec.dtype = StoredDtype::kF16;
  const auto f16 = load(write(spec, "f16"));
  spec.dtype = StoredDtype::kBF16;
  spec.shards = 3;
  spec.bert_prefix = false;
  const auto bf16_sharded = load(write(spec, "bf16-sharded"));
  spec.dtype = StoredDtype::kF32;
  const auto f32_sharded = load(write(spec, "f32-sharded"));
  ASSERT_TRUE(f32 && f16 && bf16_sharded && f32_sharded);

  EXPECT_FALSE(fs::exists(dir_ / "f32-sharded" / "model.safetensors"));
  EXPECT_TRUE(fs::exists(dir_ / "f32-sharded" / "model-00003-of-00003.safetensors"));
  EXPECT_THAT(f16->checkpoint_description(), HasSubstr("F16, 1 file"));
  EXPECT_THAT(bf16_sharded->checkpoint_description(),
              HasSubstr("model.safetensors.index.json (BF16, 3 files"));

  const auto identity = [](float v) { return v; };
  expect_rounded_equal(*f32, *f32_sharded, identity, identity);
  expect_rounded_equal(*f32, *f16, f32_to_f16_bits, f16_bits_to_f32);
  expect_rounded_equal(*f32, *bf16_sharded, f32_to_bf16_bits, bf16_bits_to_f32);
  // F16 really rounded something (the comparison above is not F32 against itself).
  EXPECT_NE(f32->weights().word_embeddings.data[0], f16->weights().word_embeddings.data[0]);
}

TEST_F(RandomModelTest, RewritingAsShardsRemovesTheOldSingleFile) {
  RandomModelSpec spec = testing::tiny_spec();
  write(spec, "m");
  spec.shards = 2;
  write(spec, "m");
  EXPECT_FALSE(fs::exists(dir_ / "m" / "model.safetensors"));
  const auto model = load(dir_ / "m");
  ASSERT_NE(model, nullptr);
  EXPECT_THAT(model->checkpoint_description(), HasSubstr("2 files"));
  const std::string index = testing::read_all(dir_ / "m" / "model.safetensors.index.json");
  EXPECT_THAT(index, HasSubstr("\"total_size\""));
  EXPECT_THAT(index,
              HasSubstr("\"bert.pooler.dense.weight\": \"model-00002-of-00002.safetensors\""));
}

TEST_F(RandomModelTest, CopiesTokenizerFiles) {
  RandomModelSpec spec = testing::tiny_spec();
  spec.tokenizer_dir = rerankd::testing::data_dir() / "bert-base-uncased";
  const auto out = write(spec, "tok");
  for (const char* name :
       {"tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"}) {
    EXPECT_EQ(testing::read_all(out / name), testing::read_all(spec.tokenizer_dir / name)) << name;
  }
}

TEST_F(RandomModelTest, RejectsBadSpecs) {
  RandomModelSpec spec = testing::tiny_spec();
  spec.shards = 0;
  EXPECT_FALSE(write_random_model(spec, dir_ / "x").ok());
  spec.shards = 1000;
  EXPECT_THAT(write_random_model(spec, dir_ / "x").message(), HasSubstr("shards"));
  spec = testing::tiny_spec();
  spec.config.num_attention_heads = 5;
  EXPECT_THAT(write_random_model(spec, dir_ / "x").message(), HasSubstr("divisible"));
  spec = testing::tiny_spec();
  spec.tokenizer_dir = dir_ / "no-such-dir";
  EXPECT_EQ(write_random_model(spec, dir_ / "x").code(), StatusCode::kNotFound);
}

TEST_F(RandomModelTest, FullMiniLmShape) {
  const auto model = load(write(RandomModelSpec{}, "minilm"));
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->config().hidden_size, 384);
  EXPECT_EQ(model->weights().layers.size(), 6u);
  EXPECT_EQ(model->weights().word_embeddings.shape, (std::vector<std::int64_t>{30522, 384}));
  EXPECT_THAT(model->checkpoint_description(), HasSubstr("105 tensors, 22.7M parameters"));
  // 22,713,601 fp32 parameters after an 8-byte length and a space-padded header.
  const auto header_bytes = fs::file_size(dir_ / "minilm" / "model.safetensors") - 90'854'404u;
  EXPECT_GT(header_bytes, 8u);
  EXPECT_LT(header_bytes, 20'000u);
  EXPECT_EQ(header_bytes % 8, 0u);
}

}  // namespace
}  // namespace rerankd::model
