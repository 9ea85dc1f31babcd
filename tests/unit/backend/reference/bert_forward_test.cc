#include "backend/reference/bert_forward.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "backend/reference/input_checks.h"
#include "reference/tiny_bert.h"

namespace rerankd::backend::reference {
namespace {

using ::testing::HasSubstr;

struct Pair {
  std::vector<std::int32_t> ids;
  std::vector<std::int32_t> types;
};

// `[CLS] q.. [SEP] d.. [SEP]`-shaped pairs of assorted lengths (1 to the model's 16 positions).
std::vector<Pair> sample_pairs() {
  return {
      {{1, 5, 6, 2, 7, 8, 9, 2}, {0, 0, 0, 0, 1, 1, 1, 1}},
      {{1}, {0}},
      {{1, 30, 2, 31, 32, 33, 34, 35, 36, 37, 38, 39, 3, 4, 5, 2},
       {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
      {{1, 11, 2, 12, 2}, {0, 0, 0, 1, 1}},
      {{1, 5, 6, 2, 7, 8, 9, 2}, {0, 0, 0, 0, 1, 1, 1, 0}},  // differs from pair 0 in one type id
  };
}

PackedBatch pack(const std::vector<Pair>& pairs) {
  PackedBatch batch;
  for (const auto& pair : pairs) batch.add(pair.ids, pair.types);
  return batch;
}

class BertForwardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::build_tiny_bert(testing::tiny_config(), bert_);
    ASSERT_TRUE(check_weights(bert_.config, bert_.weights).ok());
  }

  std::vector<float> run(const PackedBatch& batch, int threads) {
    auto logits = forward_batch(bert_.config, bert_.weights, batch, threads);
    EXPECT_TRUE(logits.ok()) << logits.status().to_string();
    return logits.ok() ? *logits : std::vector<float>{};
  }

  testing::TinyBert bert_;
};

TEST_F(BertForwardTest, LogitsAreFiniteAndDependOnTheInput) {
  const auto pairs = sample_pairs();
  const auto logits = run(pack(pairs), 1);
  ASSERT_EQ(logits.size(), pairs.size() * 2);
  for (const float value : logits) EXPECT_TRUE(std::isfinite(value));
  // Pair 4 differs from pair 0 only in one token type id.
  EXPECT_NE(logits[0], logits[8]);
  EXPECT_NE(logits[0], logits[1]);  // the two labels have their own classifier rows
}

// A pair's logits must not depend on its neighbours, its place in the batch or the threads.
TEST_F(BertForwardTest, PairIsIndependentOfBatchAndThreads) {
  const auto pairs = sample_pairs();
  std::vector<std::vector<float>> alone;
  for (const auto& pair : pairs) alone.push_back(run(pack({pair}), 1));

  std::vector<Pair> reversed(pairs.rbegin(), pairs.rend());
  for (const int threads : {1, 2, 3, 0}) {
    const auto together = run(pack(pairs), threads);
    const auto backwards = run(pack(reversed), threads);
    ASSERT_EQ(together.size(), pairs.size() * 2);
    ASSERT_EQ(backwards.size(), pairs.size() * 2);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const std::size_t j = pairs.size() - 1 - i;
      for (std::size_t label = 0; label < 2; ++label) {
        // Same arithmetic in the same order: bit-identical, not merely close.
        EXPECT_EQ(together[i * 2 + label], alone[i][label])
            << "pair " << i << " threads " << threads;
        EXPECT_EQ(backwards[j * 2 + label], alone[i][label])
            << "pair " << i << " threads " << threads;
      }
    }
  }
}

TEST_F(BertForwardTest, MorePairsThanThreadsAndRepeatedPairs) {
  std::vector<Pair> many;
  for (int i = 0; i < 13; ++i) many.push_back(sample_pairs()[static_cast<std::size_t>(i % 5)]);
  const auto logits = run(pack(many), 4);
  ASSERT_EQ(logits.size(), 26u);
  for (std::size_t i = 5; i < 13; ++i) {
    EXPECT_EQ(logits[i * 2], logits[(i - 5) * 2]);
    EXPECT_EQ(logits[i * 2 + 1], logits[(i - 5) * 2 + 1]);
  }
}

TEST_F(BertForwardTest, EmptyBatchGivesNoLogits) {
  const auto logits = forward_batch(bert_.config, bert_.weights, PackedBatch{}, 2);
  ASSERT_TRUE(logits.ok());
  EXPECT_TRUE(logits->empty());
}

TEST_F(BertForwardTest, TooLongPairIsOutOfRange) {
  std::vector<std::int32_t> ids(17, 5);
  std::vector<std::int32_t> types(17, 0);
  PackedBatch batch = pack(sample_pairs());
  batch.add(ids, types);
  const auto logits = forward_batch(bert_.config, bert_.weights, batch, 1);
  ASSERT_FALSE(logits.ok());
  EXPECT_EQ(logits.status().code(), StatusCode::kOutOfRange);
  EXPECT_THAT(logits.status().message(), HasSubstr("pair 5 has 17 tokens"));
  EXPECT_THAT(logits.status().message(), HasSubstr("max_position_embeddings 16"));
}

TEST_F(BertForwardTest, ExactlyMaxPositionsIsFine) {
  std::vector<std::int32_t> ids(16, 5);
  std::vector<std::int32_t> types(16, 1);
  PackedBatch batch;
  batch.add(ids, types);
  EXPECT_TRUE(forward_batch(bert_.config, bert_.weights, batch, 1).ok());
}

TEST_F(BertForwardTest, TokenIdsOutOfRangeAreInvalidArgument) {
  for (const std::int32_t bad : {40, -1, 1 << 30}) {
    PackedBatch batch;
    batch.add(std::vector<std::int32_t>{1, bad, 2}, std::vector<std::int32_t>{0, 0, 0});
    const auto logits = forward_batch(bert_.config, bert_.weights, batch, 1);
    ASSERT_FALSE(logits.ok());
    EXPECT_EQ(logits.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(logits.status().message(), HasSubstr("token id " + std::to_string(bad)));
  }
  PackedBatch batch;
  batch.add(std::vector<std::int32_t>{1, 3, 2}, std::vector<std::int32_t>{0, 2, 0});
  const auto logits = forward_batch(bert_.config, bert_.weights, batch, 1);
  ASSERT_FALSE(logits.ok());
  EXPECT_EQ(logits.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(logits.status().message(), HasSubstr("token type id 2"));
}

TEST_F(BertForwardTest, MalformedBatchesAreInvalidArgument) {
  PackedBatch empty_pair = pack(sample_pairs());
  empty_pair.cu_seqlens.push_back(empty_pair.cu_seqlens.back());
  PackedBatch short_types = pack(sample_pairs());
  short_types.token_type_ids.pop_back();
  PackedBatch bad_offsets = pack(sample_pairs());
  bad_offsets.cu_seqlens.back() += 3;
  PackedBatch no_offsets = pack(sample_pairs());
  no_offsets.cu_seqlens.clear();
  for (const auto* batch : {&empty_pair, &short_types, &bad_offsets, &no_offsets}) {
    const auto logits = forward_batch(bert_.config, bert_.weights, *batch, 1);
    ASSERT_FALSE(logits.ok());
    EXPECT_EQ(logits.status().code(), StatusCode::kInvalidArgument) << logits.status().to_string();
  }
}

TEST_F(BertForwardTest, ActivationFromConfigChangesTheResult) {
  const PackedBatch batch = pack(sample_pairs());
  const auto erf_logits = run(batch, 1);
  bert_.config.hidden_act = model::HiddenAct::kGeluTanh;
  const auto tanh_logits = run(batch, 1);
  bert_.config.hidden_act = model::HiddenAct::kRelu;
  const auto relu_logits = run(batch, 1);
  EXPECT_NE(erf_logits, tanh_logits);
  EXPECT_NE(erf_logits, relu_logits);
}

TEST(CheckWeights, NamesTheMismatchedTensor) {
  testing::TinyBert bert;
  testing::build_tiny_bert(testing::tiny_config(), bert);
  bert.weights.layers[1].intermediate.weight = bert.store.random({16, 9}, 1.0f);
  const Status status = check_weights(bert.config, bert.weights);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("encoder.layer.1.intermediate.dense.weight"));
  EXPECT_THAT(status.message(), HasSubstr("[16, 9]"));
  EXPECT_THAT(status.message(), HasSubstr("[16, 8]"));
}

TEST(CheckWeights, LayerCountMustMatchConfig) {
  testing::TinyBert bert;
  testing::build_tiny_bert(testing::tiny_config(), bert);
  bert.weights.layers.pop_back();
  const Status status = check_weights(bert.config, bert.weights);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("num_hidden_layers 2"));
}

}  // namespace
}  // namespace rerankd::backend::reference
