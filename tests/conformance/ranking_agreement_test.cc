// Kendall tau-b as scipy.stats.kendalltau computes it, on lists small enough to count by hand.
#include "ranking_agreement.h"

#include <gtest/gtest.h>

#include <vector>

namespace rerankd::testing {
namespace {

TEST(KendallTauB, SameOrderIsOne) {
  const std::vector<float> a{0.1f, 0.5f, 0.9f, 2.0f};
  const std::vector<float> b{-3.0f, 1.0f, 1.5f, 8.0f};
  EXPECT_DOUBLE_EQ(kendall_tau_b(a, b), 1.0);
}

TEST(KendallTauB, ReversedIsMinusOne) {
  const std::vector<float> a{1, 2, 3, 4};
  const std::vector<float> b{4, 3, 2, 1};
  EXPECT_DOUBLE_EQ(kendall_tau_b(a, b), -1.0);
}

// One swapped neighbour among 3 items: 2 concordant, 1 discordant pair, (2 - 1) / 3.
TEST(KendallTauB, OneSwapOfThree) {
  const std::vector<float> a{1, 2, 3};
  const std::vector<float> b{1, 3, 2};
  EXPECT_NEAR(kendall_tau_b(a, b), 1.0 / 3.0, 1e-12);
}

// scipy.stats.kendalltau([1, 2, 2, 3], [1, 2, 3, 4]).statistic = 0.9128709291752769: one tie in
// the first list; tau-b divides by sqrt(5 * 6).
TEST(KendallTauB, TiesAsScipy) {
  const std::vector<float> a{1, 2, 2, 3};
  const std::vector<float> b{1, 2, 3, 4};
  EXPECT_NEAR(kendall_tau_b(a, b), 0.9128709291752769, 1e-12);
}

TEST(MsMarcoQueries, TwentyCandidatesEach) {
  const auto queries = load_msmarco_queries(3);
  ASSERT_EQ(queries.size(), 3u);
  for (const auto& query : queries) {
    EXPECT_FALSE(query.query.empty());
    EXPECT_EQ(query.passages.size(), 20u);
  }
}

}  // namespace
}  // namespace rerankd::testing
