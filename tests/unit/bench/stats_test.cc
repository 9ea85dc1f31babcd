#include "bench/stats.h"

#include <gtest/gtest.h>

namespace rerankd::bench {
namespace {

// Expected values from numpy.percentile(values, q) (method "linear", the default).
TEST(Percentile, MatchesNumpyLinear) {
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4}, 50), 2.5);
  EXPECT_DOUBLE_EQ(percentile({10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 90), 9.1);
  EXPECT_NEAR(percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99), 9.91, 1e-12);
  EXPECT_DOUBLE_EQ(percentile({15, 20, 35, 40, 50}, 95), 48);
  EXPECT_DOUBLE_EQ(percentile({15, 20, 35, 40, 50}, 0), 15);
  EXPECT_DOUBLE_EQ(percentile({15, 20, 35, 40, 50}, 100), 50);
}

TEST(Percentile, EdgeCases) {
  EXPECT_EQ(percentile({}, 50), 0);
  EXPECT_EQ(percentile({7}, 99), 7);
  EXPECT_EQ(percentile({3, 1}, 150), 3);  // q clamped to 0..100
}

TEST(SummarizeLatency, AllFields) {
  const auto summary = summarize_latency({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(summary.mean, 2.5);
  EXPECT_DOUBLE_EQ(summary.p50, 2.5);
  EXPECT_DOUBLE_EQ(summary.p90, 3.7);
  EXPECT_DOUBLE_EQ(summary.max, 4);
  const auto empty = summarize_latency({});
  EXPECT_EQ(empty.p99, 0);
  EXPECT_EQ(empty.max, 0);
}

RequestSample sample(bool ok, double latency_ms, std::size_t pairs, std::string type = "") {
  RequestSample s;
  s.ok = ok;
  s.latency_ms = latency_ms;
  s.pairs = pairs;
  s.error_type = std::move(type);
  return s;
}

TEST(MedianIndex, PointsAtTheMiddleValueOrTheLowerMiddle) {
  EXPECT_EQ(median_index({}), 0u);
  EXPECT_EQ(median_index({7.0}), 0u);
  EXPECT_EQ(median_index({3.0, 1.0, 2.0}), 2u);
  EXPECT_EQ(median_index({4.0, 1.0, 3.0, 2.0}), 3u);  // 2.0, the lower of 2.0 and 3.0
  EXPECT_EQ(median_index({5.0, 5.0, 1.0}), 0u);       // ties keep run order
}

TEST(FillMeasurements, CountsSuccessesAndErrorsSeparately) {
  LoadRun run;
  run.duration_s = 2;
  run.mean_batch_size = 12.5;
  run.samples = {sample(true, 10, 20), sample(true, 30, 20), sample(false, 1000, 0, "overloaded"),
                 sample(false, 5, 0, "overloaded"), sample(false, 5, 0, "transport")};
  ResultPoint point;
  fill_measurements(run, point);
  EXPECT_EQ(point.requests, 5);
  EXPECT_EQ(point.errors, 3);
  EXPECT_EQ(point.errors_by_type.at("overloaded"), 2);
  EXPECT_EQ(point.errors_by_type.at("transport"), 1);
  EXPECT_EQ(point.pairs, 40);
  EXPECT_DOUBLE_EQ(point.duration_s, 2);
  EXPECT_DOUBLE_EQ(point.pairs_per_s, 20);
  EXPECT_DOUBLE_EQ(point.requests_per_s, 1);
  EXPECT_DOUBLE_EQ(point.latency_ms.max, 30);  // failed requests' latencies are left out
  EXPECT_DOUBLE_EQ(point.latency_ms.p50, 20);
  EXPECT_DOUBLE_EQ(point.mean_batch_size, 12.5);
}

TEST(FillMeasurements, EmptyRunGivesZeros) {
  ResultPoint point;
  fill_measurements(LoadRun{}, point);
  EXPECT_EQ(point.requests, 0);
  EXPECT_EQ(point.pairs_per_s, 0);
  EXPECT_EQ(point.latency_ms.p50, 0);
}

}  // namespace
}  // namespace rerankd::bench
