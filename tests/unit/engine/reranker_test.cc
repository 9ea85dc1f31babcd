#include "engine/reranker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "support/test_env.h"

namespace rerankd::engine {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<Reranker> open_conformance(EngineOptions options = {}) {
  auto reranker = Reranker::open(rerankd::testing::conformance_model_dir(), options);
  EXPECT_TRUE(reranker.ok()) << reranker.status().to_string();
  return reranker.ok() ? std::move(reranker).value() : nullptr;
}

const std::vector<Pair>& sample_pairs() {
  static const std::vector<Pair> pairs{
      {"what is a cross encoder", "A cross-encoder reads the query and passage together."},
      {"what is a cross encoder", "Bananas are rich in potassium."},
      {"capital of france", "Paris is the capital and largest city of France."},
      {"", "an empty query still makes a valid pair"},
      {"schöne grüße", "東京は日本の首都です 🙂"},
  };
  return pairs;
}

TEST(Reranker, MaxLengthDefaultsToTheModelLimit) {
  const auto reranker = open_conformance();
  ASSERT_NE(reranker, nullptr);
  EXPECT_EQ(reranker->tokenize_options().max_length, 512);
}

TEST(Reranker, MaxLengthBeyondTheModelIsRejected) {
  EngineOptions options;
  options.tokenize.max_length = 1000;
  const auto reranker = Reranker::open(rerankd::testing::conformance_model_dir(), options);
  ASSERT_FALSE(reranker.ok());
  EXPECT_THAT(reranker.status().message(), HasSubstr("max_position_embeddings 512"));
}

TEST(Reranker, UnknownBackendIsUnimplemented) {
  EngineOptions options;
  options.backend.name = "tpu";
  const auto reranker = Reranker::open(rerankd::testing::conformance_model_dir(), options);
  ASSERT_FALSE(reranker.ok());
  EXPECT_EQ(reranker.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(reranker.status().message(), HasSubstr("tpu"));
}

TEST(Reranker, ScoresDoNotDependOnBatchSize) {
  EngineOptions one_by_one;
  one_by_one.max_batch_pairs = 1;
  const auto single = open_conformance(one_by_one);
  const auto batched = open_conformance();
  ASSERT_NE(single, nullptr);
  ASSERT_NE(batched, nullptr);
  const auto a = single->score(sample_pairs(), ScoreMode::kRaw);
  const auto b = batched->score(sample_pairs(), ScoreMode::kRaw);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->values.size(), sample_pairs().size());
  for (std::size_t i = 0; i < a->values.size(); ++i) {
    EXPECT_NEAR(a->values[i], b->values[i], 1e-5f) << "pair " << i;
  }
  // Different pairs get different logits: the model is not constant.
  EXPECT_NE(a->values[0], a->values[1]);
}

TEST(Reranker, ActivatedScoresAreSigmoidOfLogits) {
  const auto reranker = open_conformance();
  ASSERT_NE(reranker, nullptr);
  const auto raw = reranker->score(sample_pairs(), ScoreMode::kRaw);
  const auto activated = reranker->score(sample_pairs(), ScoreMode::kActivated);
  ASSERT_TRUE(raw.ok() && activated.ok());
  for (std::size_t i = 0; i < raw->values.size(); ++i) {
    EXPECT_NEAR(activated->values[i], 1.0 / (1.0 + std::exp(-raw->values[i])), 1e-6);
  }
}

TEST(Reranker, RankSortsBestFirstAndCutsToTopK) {
  const auto reranker = open_conformance();
  ASSERT_NE(reranker, nullptr);
  std::vector<std::string_view> documents;
  for (const auto& pair : sample_pairs()) documents.push_back(pair.document);
  const auto scores = reranker->score(std::vector<Pair>{{"q", documents[0]},
                                                        {"q", documents[1]},
                                                        {"q", documents[2]},
                                                        {"q", documents[3]},
                                                        {"q", documents[4]}},
                                      ScoreMode::kActivated);
  const auto ranked = reranker->rank("q", documents, 3, ScoreMode::kActivated);
  ASSERT_TRUE(scores.ok() && ranked.ok());
  ASSERT_EQ(ranked->size(), 3u);
  for (std::size_t i = 0; i < ranked->size(); ++i) {
    EXPECT_EQ((*ranked)[i].score, scores->values[(*ranked)[i].index]);
    if (i > 0) {
      EXPECT_GE((*ranked)[i - 1].score, (*ranked)[i].score);
    }
  }
}

TEST(Reranker, InvalidUtf8NamesThePair) {
  const auto reranker = open_conformance();
  ASSERT_NE(reranker, nullptr);
  const std::string bad = "bad \xC3";
  const auto scores =
      reranker->score(std::vector<Pair>{{"fine", "fine"}, {"q", bad}}, ScoreMode::kRaw);
  ASSERT_FALSE(scores.ok());
  EXPECT_EQ(scores.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(scores.status().message(), HasSubstr("pair 1"));
}

TEST(Reranker, TooLongPairWithoutTruncationIsOutOfRange) {
  EngineOptions options;
  options.tokenize.truncation = text::Truncation::kNone;
  options.tokenize.max_length = 16;
  const auto reranker = open_conformance(options);
  ASSERT_NE(reranker, nullptr);
  std::string long_document;
  for (int i = 0; i < 40; ++i) long_document += "word ";
  const auto scores = reranker->score(std::vector<Pair>{{"q", long_document}}, ScoreMode::kRaw);
  ASSERT_FALSE(scores.ok());
  EXPECT_EQ(scores.status().code(), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace rerankd::engine
