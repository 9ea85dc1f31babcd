// The buckets batches are padded to for CUDA graphs (pure host code: runs without a GPU).
#include "backend/cuda/graph_shape.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>

namespace rerankd::backend::cuda {
namespace {

constexpr int kMaxPairs = 65535;
constexpr int kMaxLength = 512;

ForwardShape bucket(int tokens, int pairs, int max_length) {
  const auto shape = graph_shape_for({tokens, pairs, max_length}, kMaxPairs, kMaxLength);
  EXPECT_TRUE(shape.has_value()) << tokens << " tokens, " << pairs << " pairs";
  return shape.value_or(ForwardShape{});
}

TEST(GraphShape, SmallBatchesShareOneBucket) {
  EXPECT_EQ(bucket(1, 1, 1), (ForwardShape{256, 16, 64}));
  EXPECT_EQ(bucket(68, 1, 68), (ForwardShape{256, 16, 128}));
  EXPECT_EQ(bucket(200, 3, 100), (ForwardShape{256, 16, 128}));
}

// The classifier head reads row num_tokens for each padded (empty) pair, so a bucket always has
// a row past the batch's last token: 255 tokens fill a 256-row bucket, 256 need the next one.
TEST(GraphShape, TokenBucketKeepsOneSpareRow) {
  EXPECT_EQ(bucket(255, 3, 128).tokens, 256);
  EXPECT_EQ(bucket(256, 3, 128).tokens, 512);
  EXPECT_EQ(bucket(511, 1, 511).tokens, 512);
  EXPECT_EQ(bucket(512, 1, 512).tokens, 768);
  for (int tokens = 1; tokens < 70000; tokens += 7) {
    EXPECT_GT(bucket(tokens, 1, 1).tokens, tokens);
  }
}

// Multiples of 256 below 16384 rows; past that the step doubles with the count so padding stays
// under 1/32 of the rows.
TEST(GraphShape, TokenPaddingIsBounded) {
  EXPECT_EQ(bucket(16382, 40, 512).tokens, 16384);  // 16383 rows needed: the last 256-row step
  EXPECT_EQ(bucket(16384, 40, 512).tokens, 16384 + 512);
  EXPECT_EQ(bucket(40000, 100, 512).tokens % 1024, 0);
  for (int tokens = 1; tokens < 200000; tokens += 13) {
    const int padded = bucket(tokens, 1, 1).tokens;
    const int waste = padded - (tokens + 1);
    EXPECT_LT(waste, std::max(256, (tokens + 1) / 32)) << tokens;
  }
}

TEST(GraphShape, BucketsAreMonotoneAndFewPerDoubling) {
  std::set<int> buckets;
  int previous = 0;
  for (int tokens = 8192; tokens < 16384; ++tokens) {
    const int padded = bucket(tokens, 1, 1).tokens;
    EXPECT_GE(padded, previous);
    previous = padded;
    buckets.insert(padded);
  }
  EXPECT_LE(buckets.size(), 33u);
  buckets.clear();
  for (int tokens = 16384; tokens < 32768; ++tokens) buckets.insert(bucket(tokens, 1, 1).tokens);
  EXPECT_LE(buckets.size(), 33u);
}

TEST(GraphShape, PairBuckets) {
  EXPECT_EQ(bucket(300, 1, 64).pairs, 16);
  EXPECT_EQ(bucket(300, 16, 64).pairs, 16);
  EXPECT_EQ(bucket(300, 17, 64).pairs, 32);
  EXPECT_EQ(bucket(6000, 64, 128).pairs, 64);
  EXPECT_EQ(bucket(6000, 100, 128).pairs, 112);
  EXPECT_EQ(bucket(20000, 256, 128).pairs, 256);
  EXPECT_EQ(bucket(20000, 257, 128).pairs, 288);
  // The attention grid's z dimension caps the bucket at the backend's pair limit.
  EXPECT_EQ(bucket(70000, kMaxPairs, 64).pairs, kMaxPairs);
  for (int pairs = 1; pairs <= kMaxPairs; pairs += 11) {
    const int padded = bucket(pairs, pairs, 1).pairs;
    EXPECT_GE(padded, pairs);
    EXPECT_LE(padded, kMaxPairs);
  }
}

// Multiples of 64, the attention kernel's query rows per block: the captured grid has the
// blocks an eager launch would.
TEST(GraphShape, LengthBuckets) {
  EXPECT_EQ(bucket(300, 1, 1).max_length, 64);
  EXPECT_EQ(bucket(300, 1, 64).max_length, 64);
  EXPECT_EQ(bucket(300, 1, 65).max_length, 128);
  EXPECT_EQ(bucket(600, 2, 512).max_length, 512);
}

TEST(GraphShape, NoBucketForEmptyOrOversizedBatches) {
  EXPECT_FALSE(graph_shape_for({0, 0, 0}, kMaxPairs, kMaxLength).has_value());
  EXPECT_FALSE(graph_shape_for({10, 0, 10}, kMaxPairs, kMaxLength).has_value());
  EXPECT_FALSE(graph_shape_for({600, 1, 513}, kMaxPairs, kMaxLength).has_value());
  EXPECT_FALSE(graph_shape_for({600, kMaxPairs + 1, 1}, kMaxPairs, kMaxLength).has_value());
  EXPECT_FALSE(graph_shape_for({2147483600, 1, 1}, kMaxPairs, kMaxLength).has_value());
}

}  // namespace
}  // namespace rerankd::backend::cuda
