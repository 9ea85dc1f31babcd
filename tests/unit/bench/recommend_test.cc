#include "bench/recommend.h"

#include <gtest/gtest.h>

namespace rerankd::bench {
namespace {

ResultPoint point(double pairs_per_s, double p50) {
  ResultPoint p;
  p.pairs_per_s = pairs_per_s;
  p.latency_ms.p50 = p50;
  p.requests = 10;
  return p;
}

// The study's batch sweep (experiment-summary.md, Phase 2, MPS).
std::vector<ResultPoint> batch_sweep() {
  return {point(201.3, 39.7),  point(329.7, 48.5),  point(497.1, 64.4),
          point(627.4, 76.5),  point(687.4, 93.1),  point(708.2, 135.5),
          point(725.1, 176.5), point(738.1, 260.1), point(748.0, 342.2)};
}

TEST(SweetSpot, HighestThroughputMeetingTheTarget) {
  const auto r = sweet_spot(batch_sweep(), 200);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->point, 6u);  // 725.1 p/s at 176.5 ms; 738.1 misses 200 ms
  EXPECT_EQ(r->reason, "highest throughput (725.1 pairs/s) with p50 176.5 ms <= 200 ms target");
}

TEST(SweetSpot, TighterTargetPicksASmallerBatch) {
  const auto r = sweet_spot(batch_sweep(), 136);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->point, 5u);  // the study's batch 96
}

TEST(SweetSpot, NoTargetMeansHighestThroughput) {
  const auto r = sweet_spot(batch_sweep(), 0);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->point, 8u);
  EXPECT_NE(r->reason.find("no latency target"), std::string::npos);
}

TEST(SweetSpot, TargetNotMetSaysByHowMuch) {
  std::string why;
  EXPECT_FALSE(sweet_spot(batch_sweep(), 20, &why).has_value());
  EXPECT_EQ(why, "no point met p50 <= 20 ms; the fastest p50 was 39.7 ms");
  EXPECT_FALSE(sweet_spot(batch_sweep(), 20).has_value());  // no reason pointer: still fine
}

TEST(SweetSpot, TiesGoToTheLowerP50ThenTheFirst) {
  const std::vector<ResultPoint> points = {point(500, 90), point(500, 80), point(500, 80),
                                           point(400, 10)};
  const auto r = sweet_spot(points, 100);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->point, 1u);
}

TEST(SweetSpot, FailedNotBuiltAndErroredPointsAreExcluded) {
  std::vector<ResultPoint> points = {point(900, 50), point(800, 50), point(700, 50),
                                     point(600, 50)};
  points[0].status = PointStatus::kFailed;
  points[1].status = PointStatus::kNotBuilt;
  points[2].errors = 3;
  const auto r = sweet_spot(points, 100);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->point, 3u);
  points[3].errors = 1;
  std::string why;
  EXPECT_FALSE(sweet_spot(points, 100, &why).has_value());
  EXPECT_EQ(why, "no point was measured without errors");
}

}  // namespace
}  // namespace rerankd::bench

namespace rerankd::bench {
namespace {

TEST(SweetSpot, APointWithNoCompletedRequestIsNotAResult) {
  std::vector<ResultPoint> points = {point(10, 50), point(0, 0)};
  points[1].requests = 0;  // the window ended before the first answer
  const auto r = sweet_spot(points, 200);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->point, 0u);
}

TEST(SweetSpot, APeerIsComparedButNeverRecommended) {
  std::vector<ResultPoint> points = batch_sweep();
  ResultPoint peer = point(5000, 10);
  peer.system = "onnxruntime";
  points.push_back(peer);
  const auto r = sweet_spot(points, 200);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->point, 6u);
}

}  // namespace
}  // namespace rerankd::bench
