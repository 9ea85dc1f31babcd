#include "sched/batch_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace rerankd::sched {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using TimePoint = std::chrono::steady_clock::time_point;

// A fake clock: times are offsets from an arbitrary epoch.
const TimePoint kT0 = TimePoint{} + std::chrono::hours(1);

config::BatchingConfig batching(int max_size, int max_tokens, int timeout_ms, bool sort) {
  config::BatchingConfig b;
  b.max_batch_size = max_size;
  b.max_batch_tokens = max_tokens;
  b.timeout_ms = timeout_ms;
  b.sort_by_length = sort;
  b.close_when_idle = false;
  return b;
}

// Pairs enqueued 1 ms apart from kT0, each its own job unless job ids are given.
std::vector<PairView> queue_of(const std::vector<int>& lengths, std::vector<int> jobs = {}) {
  std::vector<PairView> q;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    const auto job = jobs.empty() ? i : static_cast<std::size_t>(jobs[i]);
    q.push_back({kT0 + milliseconds(i), lengths[i], job});
  }
  return q;
}

TEST(BatchPolicy, EmptyQueueWaitsForArrivals) {
  const auto d = decide_batch({}, kT0, batching(4, 1000, 50, false));
  EXPECT_TRUE(d.take.empty());
  EXPECT_EQ(d.wake_at, TimePoint::max());
}

TEST(BatchPolicy, WaitsUntilTheOldestPairTimesOut) {
  const auto q = queue_of({10, 10});
  const auto d = decide_batch(q, kT0 + milliseconds(5), batching(4, 1000, 50, false));
  EXPECT_TRUE(d.take.empty());
  EXPECT_EQ(d.reason, CloseReason::kNone);
  EXPECT_EQ(d.wake_at, kT0 + milliseconds(50));
}

TEST(BatchPolicy, ClosesOnTimeoutWithWhateverIsThere) {
  const auto q = queue_of({10, 10});
  const auto d = decide_batch(q, kT0 + milliseconds(50), batching(4, 1000, 50, false));
  EXPECT_THAT(d.take, ElementsAre(0, 1));
  EXPECT_EQ(d.reason, CloseReason::kTimeout);
}

TEST(BatchPolicy, ZeroTimeoutTakesAtOnce) {
  const auto q = queue_of({10});
  const auto d = decide_batch(q, kT0, batching(4, 1000, 0, false));
  EXPECT_THAT(d.take, ElementsAre(0));
}

TEST(BatchPolicy, ClosesAtMaxBatchSizeBeforeTheTimeout) {
  const auto q = queue_of({10, 10, 10, 10, 10, 10});
  const auto d = decide_batch(q, kT0, batching(4, 1000, 50, false));
  EXPECT_THAT(d.take, ElementsAre(0, 1, 2, 3));
  EXPECT_EQ(d.reason, CloseReason::kSize);
}

TEST(BatchPolicy, ClosesAtMaxBatchTokensCountingPadding) {
  // 3 pairs padded to 30 tokens = 90 <= 100; a 4th of 30 would make 4 x 30 = 120 > 100.
  const auto q = queue_of({10, 30, 10, 30, 10});
  const auto d = decide_batch(q, kT0, batching(8, 100, 50, false));
  EXPECT_THAT(d.take, ElementsAre(0, 1, 2));
  EXPECT_EQ(d.reason, CloseReason::kTokens);
}

TEST(BatchPolicy, AnOversizedPairRunsAlone) {
  const auto q = queue_of({500, 10});
  const auto d = decide_batch(q, kT0, batching(8, 100, 50, false));
  EXPECT_THAT(d.take, ElementsAre(0));
  EXPECT_EQ(d.reason, CloseReason::kTokens);
}

TEST(BatchPolicy, FlushTakesAPartialBatchAtOnce) {
  const auto q = queue_of({10, 10});
  const auto d = decide_batch(q, kT0, batching(4, 1000, 50, false), /*flush=*/true);
  EXPECT_THAT(d.take, ElementsAre(0, 1));
  EXPECT_EQ(d.reason, CloseReason::kFlush);
}

TEST(BatchPolicy, AnIdleWorkerClosesAPartialBatchAtOnce) {
  const auto q = queue_of({10, 10, 10});
  auto cfg = batching(8, 1000, 50, false);
  cfg.close_when_idle = true;
  const auto d = decide_batch(q, kT0 + milliseconds(3), cfg, false, /*worker_idle=*/true);
  EXPECT_THAT(d.take, ElementsAre(0, 1, 2));
  EXPECT_EQ(d.reason, CloseReason::kIdle);
}

TEST(BatchPolicy, WithEveryWorkerBusyAPartialBatchWaitsForTheTimeout) {
  const auto q = queue_of({10, 10, 10});
  auto cfg = batching(8, 1000, 50, false);
  cfg.close_when_idle = true;
  const auto d = decide_batch(q, kT0 + milliseconds(3), cfg, false, /*worker_idle=*/false);
  EXPECT_TRUE(d.take.empty());
  EXPECT_EQ(d.wake_at, kT0 + milliseconds(50));
}

TEST(BatchPolicy, TheStudysRuleIgnoresAnIdleWorker) {
  const auto q = queue_of({10, 10, 10});
  const auto cfg = batching(8, 1000, 50, false);  // close_when_idle false
  const auto d = decide_batch(q, kT0 + milliseconds(3), cfg, false, /*worker_idle=*/true);
  EXPECT_TRUE(d.take.empty());
}

TEST(BatchPolicy, AnIdleWorkerStillTakesAtMostOneBatch) {
  const auto q = queue_of({10, 10, 10, 10, 10});
  auto cfg = batching(2, 1000, 50, false);
  cfg.close_when_idle = true;
  const auto d = decide_batch(q, kT0, cfg, false, /*worker_idle=*/true);
  EXPECT_THAT(d.take, ElementsAre(0, 1));
  EXPECT_EQ(d.reason, CloseReason::kSize);
}

TEST(BatchPolicy, SortingGroupsPairsNearTheOldestPairsLength) {
  const auto q = queue_of({100, 10, 98, 12, 103, 11, 100});
  const auto d = decide_batch(q, kT0, batching(4, 100000, 50, true));
  EXPECT_THAT(d.take, ElementsAre(0, 2, 4, 6));
  EXPECT_EQ(d.reason, CloseReason::kSize);
}

TEST(BatchPolicy, SortingReducesPaddingAgainstFifo) {
  const auto q = queue_of({100, 10, 98, 12, 103, 11, 100, 9});
  const auto cfg_fifo = batching(4, 100000, 50, false);
  const auto cfg_sort = batching(4, 100000, 50, true);
  auto padded = [&q](const std::vector<std::size_t>& take) {
    int longest = 0;
    for (const auto i : take) longest = std::max(longest, q[i].tokens);
    return static_cast<int>(take.size()) * longest;
  };
  const auto fifo = decide_batch(q, kT0, cfg_fifo);
  const auto sorted = decide_batch(q, kT0, cfg_sort);
  ASSERT_EQ(fifo.take.size(), 4u);
  ASSERT_EQ(sorted.take.size(), 4u);
  int real = 0;
  for (const auto i : sorted.take) real += q[i].tokens;
  EXPECT_EQ(padded(fifo.take), 4 * 100);
  EXPECT_EQ(padded(sorted.take), 4 * 103);
  EXPECT_LT(padded(sorted.take) - real, padded(fifo.take) - (100 + 10 + 98 + 12));
}

TEST(BatchPolicy, SortingSkipsAPairThatDoesNotFitAndTakesAShorterOne) {
  // Oldest 50; nearest is 60 (2 x 60 = 120 > 110: skip), then 40 (2 x 50 = 100: fits).
  const auto q = queue_of({50, 60, 40});
  const auto d = decide_batch(q, kT0, batching(8, 110, 50, true));
  EXPECT_THAT(d.take, ElementsAre(0, 2));
  EXPECT_EQ(d.reason, CloseReason::kTokens);
}

TEST(BatchPolicy, SortingLooksOnlyWithinTheWindow) {
  config::BatchingConfig cfg = batching(2, 100000, 50, true);
  const std::size_t window = policy_window(cfg);
  std::vector<int> lengths(window, 10);
  lengths[0] = 100;
  lengths.push_back(100);  // a perfect match, but just past the window
  const auto q = queue_of(lengths);
  const auto d = decide_batch(q, kT0, cfg);
  ASSERT_EQ(d.take.size(), 2u);
  EXPECT_EQ(d.take[0], 0u);
  EXPECT_LT(d.take[1], window);
}

// Whatever the lengths, every decision that takes pairs takes the oldest, and with no new
// arrivals every pair runs within a bounded number of batches.
TEST(BatchPolicy, NoPairStarves) {
  std::vector<int> lengths;
  for (int i = 0; i < 200; ++i) lengths.push_back(i % 7 == 0 ? 400 : 5 + (i * 37) % 60);
  auto q = queue_of(lengths);
  const auto cfg = batching(8, 1000, 50, true);
  const TimePoint late = kT0 + std::chrono::seconds(10);  // every pair has timed out
  std::vector<int> batch_of(lengths.size(), -1);
  std::vector<std::size_t> original(lengths.size());
  for (std::size_t i = 0; i < original.size(); ++i) original[i] = i;
  int batches = 0;
  while (!q.empty()) {
    const auto d = decide_batch(q, late, cfg);
    ASSERT_FALSE(d.take.empty());
    ASSERT_EQ(d.take.front(), 0u) << "the oldest pair was left behind";
    for (auto it = d.take.rbegin(); it != d.take.rend(); ++it) {
      batch_of[original[*it]] = batches;
      q.erase(q.begin() + static_cast<std::ptrdiff_t>(*it));
      original.erase(original.begin() + static_cast<std::ptrdiff_t>(*it));
    }
    ++batches;
  }
  // A pair waits at most until every pair ahead of it has left; with >= 1 pair per batch
  // that is bounded by its position, so pair i runs in batch <= i.
  for (std::size_t i = 0; i < batch_of.size(); ++i) {
    EXPECT_LE(batch_of[i], static_cast<int>(i)) << "pair " << i;
  }
}

TEST(BatchPolicy, DisabledTakesOneRequestAtOnce) {
  const auto q = queue_of({10, 10, 10, 10}, {7, 7, 8, 8});
  auto cfg = batching(8, 1000, 50, true);
  cfg.enabled = false;
  const auto d = decide_batch(q, kT0, cfg);
  EXPECT_THAT(d.take, ElementsAre(0, 1));
  EXPECT_EQ(d.reason, CloseReason::kRequest);
}

TEST(BatchPolicy, DisabledSplitsALargeRequestAtMaxBatchSize) {
  const auto q = queue_of({10, 10, 10, 10, 10, 10}, {3, 3, 3, 3, 3, 4});
  auto cfg = batching(2, 1000, 50, false);
  cfg.enabled = false;
  const auto d = decide_batch(q, kT0, cfg);
  EXPECT_THAT(d.take, ElementsAre(0, 1));
  const std::vector<PairView> rest(q.begin() + 4, q.end());
  EXPECT_THAT(decide_batch(rest, kT0, cfg).take, ElementsAre(0));  // job 3's last pair alone
}

TEST(BatchPolicy, ADeepQueueKeepsTheOldestRequestsPairsTogether) {
  // Two requests of 4 pairs, lengths alternating. Sorting the whole window by length mixes
  // them (the oldest pair, 10, draws the other 10s); with a deep queue and deadline_aware the
  // batch is the oldest request's pairs alone.
  const auto q = queue_of({10, 50, 10, 50, 10, 50, 10, 50}, {1, 1, 1, 1, 2, 2, 2, 2});
  auto b = batching(4, 1000, 50, true);
  const auto mixed = decide_batch(q, kT0, b, false, false, /*deep_queue=*/false);
  EXPECT_THAT(mixed.take, ElementsAre(0, 2, 4, 6));
  const auto together = decide_batch(q, kT0, b, false, false, /*deep_queue=*/true);
  EXPECT_THAT(together.take, ElementsAre(0, 1, 2, 3));
  EXPECT_EQ(together.reason, CloseReason::kSize);
  b.deadline_aware = false;
  EXPECT_THAT(decide_batch(q, kT0, b, false, false, /*deep_queue=*/true).take,
              ElementsAre(0, 2, 4, 6));
}

TEST(BatchPolicy, TheOldestRequestsPrefixEndsAtARequestBoundary) {
  const auto q = queue_of({1, 1, 1, 1, 1, 1}, {1, 1, 1, 2, 2, 3});
  EXPECT_EQ(oldest_requests_prefix(q, 2), 3u);  // request 1 is 3 pairs
  EXPECT_EQ(oldest_requests_prefix(q, 3), 3u);
  EXPECT_EQ(oldest_requests_prefix(q, 4), 5u);  // requests 1 and 2
  EXPECT_EQ(oldest_requests_prefix(q, 6), 6u);  // the whole queue
}

}  // namespace
}  // namespace rerankd::sched
