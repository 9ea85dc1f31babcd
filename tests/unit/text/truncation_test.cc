#include "text/truncation.h"

#include <gtest/gtest.h>

namespace rerankd::text {
namespace {

PairLengths cut(std::size_t first, std::size_t second, std::size_t budget,
                Truncation strategy = Truncation::kLongestFirst) {
  auto result = truncate_pair(first, second, budget, strategy);
  EXPECT_TRUE(result.ok()) << result.status().to_string();
  return result.ok() ? *result : PairLengths{};
}

TEST(Truncation, NothingToDoWhenItFits) {
  const auto kept = cut(5, 8, 13);
  EXPECT_EQ(kept.first, 5u);
  EXPECT_EQ(kept.second, 8u);
}

TEST(Truncation, LongestFirstCutsTheLongerSide) {
  const auto kept = cut(3, 20, 13);
  EXPECT_EQ(kept.first, 3u);
  EXPECT_EQ(kept.second, 10u);
  const auto swapped = cut(20, 3, 13);
  EXPECT_EQ(swapped.first, 10u);
  EXPECT_EQ(swapped.second, 3u);
}

TEST(Truncation, LongestFirstSplitsTheBudgetWhenBothAreLong) {
  // Odd budget: the longer side gets the extra token; on a tie, the second side does.
  auto kept = cut(12, 13, 13);
  EXPECT_EQ(kept.first, 6u);
  EXPECT_EQ(kept.second, 7u);
  kept = cut(13, 10, 13);
  EXPECT_EQ(kept.first, 7u);
  EXPECT_EQ(kept.second, 6u);
  kept = cut(12, 12, 13);
  EXPECT_EQ(kept.first, 6u);
  EXPECT_EQ(kept.second, 7u);
  kept = cut(12, 13, 14);
  EXPECT_EQ(kept.first, 7u);
  EXPECT_EQ(kept.second, 7u);
  // The shorter side is over half the budget: both get half even though it would fit more.
  kept = cut(8, 12, 13);
  EXPECT_EQ(kept.first, 6u);
  EXPECT_EQ(kept.second, 7u);
}

TEST(Truncation, OnlySecondCutsTheDocument) {
  const auto kept = cut(3, 20, 13, Truncation::kOnlySecond);
  EXPECT_EQ(kept.first, 3u);
  EXPECT_EQ(kept.second, 10u);
  // Removing every document token is refused, as in HF.
  const auto refused = truncate_pair(13, 6, 13, Truncation::kOnlySecond);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kOutOfRange);
}

TEST(Truncation, NoneReportsTheLengths) {
  const auto refused = truncate_pair(12, 30, 13, Truncation::kNone);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(refused.status().message().find("42 tokens (query 12, document 30)"), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace rerankd::text
