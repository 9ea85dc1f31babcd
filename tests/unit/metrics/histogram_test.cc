#include <gtest/gtest.h>

#include <limits>
#include <thread>
#include <vector>

#include "metrics/metrics.h"

namespace rerankd::metrics {
namespace {

TEST(Histogram, BucketsAreCumulativeAndUpperBoundsInclusive) {
  Histogram h({1.0, 2.0, 4.0});
  for (const double v : {0.5, 1.0, 1.5, 2.0, 3.0, 100.0}) h.observe(v);
  EXPECT_EQ(h.cumulative_counts(), (std::vector<std::uint64_t>{2, 4, 5, 6}));
  EXPECT_EQ(h.count(), 6u);
  EXPECT_DOUBLE_EQ(h.sum(), 108.0);
}

TEST(Histogram, BoundsAreSortedAndDeduplicatedAndInfIsImplicit) {
  Histogram h({4.0, 1.0, 4.0, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(h.upper_bounds(), (std::vector<double>{1.0, 4.0}));
  h.observe(3.0);
  EXPECT_EQ(h.cumulative_counts(), (std::vector<std::uint64_t>{0, 1, 1}));
}

TEST(Histogram, ExponentialBuckets) {
  EXPECT_EQ(exponential_buckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
  EXPECT_TRUE(exponential_buckets(1, 2, 0).empty());
}

TEST(Histogram, ConcurrentObservationsAreAllCounted) {
  Histogram h({1.0, 10.0});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < kPerThread; ++i) h.observe(t % 2 == 0 ? 0.5 : 5.0);
    });
  }
  for (auto& t : threads) t.join();
  const std::uint64_t total = kThreads * kPerThread;
  EXPECT_EQ(h.count(), total);
  EXPECT_EQ(h.cumulative_counts(), (std::vector<std::uint64_t>{total / 2, total, total}));
  // 0.5 and 5.0 are exact in binary, so the sum is exact whatever the order.
  EXPECT_DOUBLE_EQ(h.sum(), (0.5 + 5.0) * static_cast<double>(total / 2));
}

}  // namespace
}  // namespace rerankd::metrics
