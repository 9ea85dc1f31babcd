#include "backend/cpu/packed_bert.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "backend/reference/bert_forward.h"
#include "cpu/random_data.h"
#include "reference/tiny_bert.h"

namespace rerankd::backend::cpu {
namespace {

using backend::testing::build_tiny_bert;
using backend::testing::tiny_config;
using backend::testing::TinyBert;
using testing::max_abs_diff;

// hidden 64 in 4 heads of 16: long enough rows for the vector paths, still fast.
model::BertConfig wider_config() {
  model::BertConfig config = tiny_config();
  config.hidden_size = 64;
  config.num_attention_heads = 4;
  config.intermediate_size = 128;
  config.num_hidden_layers = 3;
  config.max_position_embeddings = 80;
  config.num_labels = 1;
  return config;
}

// Pairs of the given lengths with ids and token types drawn from a fixed pattern.
PackedBatch make_batch(const model::BertConfig& config, const std::vector<int>& lengths) {
  PackedBatch batch;
  std::int32_t next = 3;
  for (const int length : lengths) {
    std::vector<std::int32_t> ids, types;
    for (int i = 0; i < length; ++i) {
      next = (next * 7 + 5) % static_cast<std::int32_t>(config.vocab_size);
      ids.push_back(next);
      types.push_back(i < length / 2 ? 0 : 1);
    }
    batch.add(ids, types);
  }
  return batch;
}

class PackedBertTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { build_tiny_bert(GetParam() ? wider_config() : tiny_config(), bert_); }
  int max_length() const { return static_cast<int>(bert_.config.max_position_embeddings); }
  // The wider random model is ill-conditioned: scaling its word embeddings by 1 +- 1e-7 moves
  // the reference's own logits by up to 1.9e-4 (measured), so a different (equally exact)
  // summation order in oneDNN's GEMMs differs by that much. The tiny one is well-conditioned.
  double tolerance() const { return GetParam() ? 5e-4 : 1e-5; }

  TinyBert bert_;
};

// On one thread; on 2 and 3, with a group of pairs per thread (7 pairs) and with the threads
// sharing each GEMM (2 pairs, fewer than 3 threads).
TEST_P(PackedBertTest, MatchesReferenceBackend) {
  const PackedBatch batch = make_batch(bert_.config, {1, 5, max_length(), 3, 9, 2, 11});
  const PackedBatch two = make_batch(bert_.config, {max_length(), 6});
  for (const int threads : {1, 2, 3}) {
    auto cpu = PackedBert::create(bert_.config, bert_.weights, Precision::kFp32, threads);
    ASSERT_TRUE(cpu.ok()) << cpu.status().to_string();
    for (const PackedBatch* input : {&batch, &two}) {
      const auto expected = reference::forward_batch(bert_.config, bert_.weights, *input, 1);
      ASSERT_TRUE(expected.ok()) << expected.status().to_string();
      const auto got = (*cpu)->run(*input);
      ASSERT_TRUE(got.ok()) << got.status().to_string();
      EXPECT_LE(max_abs_diff(*got, *expected), tolerance())
          << threads << " threads, " << input->num_pairs() << " pairs";
    }
  }
}

// A pair's logits do not depend on its batch-mates (their number, lengths or order), nor on
// whether its group ran on a thread of its own (5 pairs) or the threads shared it (1 pair).
TEST_P(PackedBertTest, PairLogitsIndependentOfBatchMates) {
  auto cpu = PackedBert::create(bert_.config, bert_.weights, Precision::kFp32, 2);
  ASSERT_TRUE(cpu.ok()) << cpu.status().to_string();
  const std::vector<int> lengths = {7, 1, max_length(), 4, 13};
  const PackedBatch batch = make_batch(bert_.config, lengths);
  const auto together = (*cpu)->run(batch);
  ASSERT_TRUE(together.ok()) << together.status().to_string();
  const auto labels = static_cast<std::size_t>(bert_.config.num_labels);
  for (std::size_t pair = 0; pair < lengths.size(); ++pair) {
    PackedBatch alone;
    const auto begin = static_cast<std::size_t>(batch.cu_seqlens[pair]);
    const auto length = static_cast<std::size_t>(batch.length(pair));
    alone.add(std::span(batch.input_ids).subspan(begin, length),
              std::span(batch.token_type_ids).subspan(begin, length));
    const auto single = (*cpu)->run(alone);
    ASSERT_TRUE(single.ok()) << single.status().to_string();
    const std::vector<float> mine(
        together->begin() + static_cast<std::ptrdiff_t>(pair * labels),
        together->begin() + static_cast<std::ptrdiff_t>((pair + 1) * labels));
    EXPECT_LE(max_abs_diff(*single, mine), tolerance()) << "pair " << pair;
  }
}

// The arena grows for a bigger batch, is reused for smaller ones, and reuse leaves no trace.
TEST_P(PackedBertTest, WorkspaceIsReusedAcrossBatches) {
  auto cpu = PackedBert::create(bert_.config, bert_.weights, Precision::kFp32, 2);
  ASSERT_TRUE(cpu.ok()) << cpu.status().to_string();
  const PackedBatch big = make_batch(bert_.config, {max_length(), 9, max_length(), 6});
  const PackedBatch small = make_batch(bert_.config, {3, 2});
  const auto first = (*cpu)->run(big);
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  const std::size_t grown = (*cpu)->workspace_bytes();
  EXPECT_GT(grown, 0u);
  ASSERT_TRUE((*cpu)->run(small).ok());
  const auto again = (*cpu)->run(big);
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ((*cpu)->workspace_bytes(), grown);
  EXPECT_EQ(*again, *first);
}

// A batch taken through the encoder in passes of a few tokens scores as it does in one pass:
// on groups of pairs a thread each (5 pairs, 2 threads) and on threads sharing a batch (2 pairs,
// 3 threads).
TEST_P(PackedBertTest, PassesOfAFewTokensScoreAsOnePass) {
  for (const auto& [threads, lengths] : std::vector<std::pair<int, std::vector<int>>>{
           {2, {7, 1, max_length(), 4, 13}}, {3, {max_length(), 5}}}) {
    auto whole = PackedBert::create(bert_.config, bert_.weights, Precision::kFp32, threads);
    auto passes = PackedBert::create(bert_.config, bert_.weights, Precision::kFp32, threads, 3);
    ASSERT_TRUE(whole.ok()) << whole.status().to_string();
    ASSERT_TRUE(passes.ok()) << passes.status().to_string();
    const PackedBatch batch = make_batch(bert_.config, lengths);
    const auto expected = (*whole)->run(batch);
    const auto actual = (*passes)->run(batch);
    ASSERT_TRUE(expected.ok()) << expected.status().to_string();
    ASSERT_TRUE(actual.ok()) << actual.status().to_string();
    ASSERT_EQ(actual->size(), expected->size());
    EXPECT_LE(max_abs_diff(*actual, *expected), tolerance()) << threads << " threads";
  }
}

// The arenas are sized at creation for the largest pass, so no batch, however many tokens it
// has, makes them (and the process) grow.
TEST_P(PackedBertTest, ArenasAreSizedAtCreationAndNoBatchGrowsThem) {
  auto cpu = PackedBert::create(bert_.config, bert_.weights, Precision::kFp32, 2, 64);
  ASSERT_TRUE(cpu.ok()) << cpu.status().to_string();
  const std::size_t at_creation = (*cpu)->workspace_bytes();
  EXPECT_GT(at_creation, 0u);
  const PackedBatch huge = make_batch(bert_.config, std::vector<int>(64, max_length()));
  ASSERT_TRUE((*cpu)->run(huge).ok());
  ASSERT_TRUE((*cpu)->run(make_batch(bert_.config, {max_length()})).ok());  // threads share it
  EXPECT_EQ((*cpu)->workspace_bytes(), at_creation);
}

INSTANTIATE_TEST_SUITE_P(TinyAndWider, PackedBertTest, ::testing::Bool(),
                         [](const auto& name_info) { return name_info.param ? "Wider" : "Tiny"; });

TEST(PackedBert, EmptyBatchGivesNoLogits) {
  TinyBert bert;
  build_tiny_bert(tiny_config(), bert);
  auto cpu = PackedBert::create(bert.config, bert.weights, Precision::kFp32, 2);
  ASSERT_TRUE(cpu.ok()) << cpu.status().to_string();
  const auto logits = (*cpu)->run(PackedBatch{});
  ASSERT_TRUE(logits.ok()) << logits.status().to_string();
  EXPECT_TRUE(logits->empty());
}

// Every malformed batch the reference refuses, the cpu backend refuses with the same status.
// Arenas the system will not give are an error at creation, not a crash: passes of 2^44 tokens
// would need petabytes.
TEST(PackedBert, ArenasThatCannotBeReservedAreResourceExhausted) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan aborts on an allocation this large instead of throwing bad_alloc";
#endif
  TinyBert bert;
  build_tiny_bert(tiny_config(), bert);
  auto cpu =
      PackedBert::create(bert.config, bert.weights, Precision::kFp32, 2, std::size_t{1} << 44);
  ASSERT_FALSE(cpu.ok());
  EXPECT_EQ(cpu.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(cpu.status().message().find("activation memory"), std::string::npos)
      << cpu.status().message();
}

TEST(PackedBert, RejectsBadBatchesLikeTheReference) {
  TinyBert bert;
  build_tiny_bert(tiny_config(), bert);
  auto cpu = PackedBert::create(bert.config, bert.weights, Precision::kFp32, 2);
  ASSERT_TRUE(cpu.ok()) << cpu.status().to_string();
  const PackedBatch good = make_batch(bert.config, {4, 3});

  std::vector<PackedBatch> bad;
  bad.push_back(good);
  bad.back().cu_seqlens.front() = 1;  // does not start at 0
  bad.push_back(good);
  bad.back().token_type_ids.pop_back();  // fewer type ids than ids
  bad.push_back(good);
  bad.back().cu_seqlens.back() = 99;  // ends past the tokens
  bad.push_back(good);
  bad.back().cu_seqlens = {0, 0, 4, 7};  // an empty pair
  bad.push_back(good);
  bad.back().input_ids[2] = static_cast<std::int32_t>(bert.config.vocab_size);  // id too big
  bad.push_back(good);
  bad.back().input_ids[5] = -1;
  bad.push_back(good);
  bad.back().token_type_ids[1] = 2;                 // type id outside [0, 2)
  bad.push_back(make_batch(bert.config, {3, 17}));  // longer than 16 positions

  for (std::size_t i = 0; i < bad.size(); ++i) {
    const auto expected = reference::forward_batch(bert.config, bert.weights, bad[i], 1);
    ASSERT_FALSE(expected.ok()) << "case " << i;
    const auto got = (*cpu)->run(bad[i]);
    ASSERT_FALSE(got.ok()) << "case " << i;
    EXPECT_EQ(got.status().code(), expected.status().code()) << "case " << i;
    EXPECT_EQ(got.status().message(), expected.status().message()) << "case " << i;
  }
  EXPECT_EQ(bad.back().max_length, 17);
}

TEST(PackedBert, RejectsWeightsThatDoNotMatchTheConfig) {
  TinyBert bert;
  build_tiny_bert(tiny_config(), bert);
  bert.weights.layers.pop_back();
  const auto cpu = PackedBert::create(bert.config, bert.weights, Precision::kFp32, 2);
  ASSERT_FALSE(cpu.ok());
  EXPECT_EQ(cpu.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace rerankd::backend::cpu
