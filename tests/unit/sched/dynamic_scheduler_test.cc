// The scheduler over fake backends. Events are ordered with the fake's gate and by waiting
// for outcomes; waits have generous safety timeouts and nothing asserts a duration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "metrics/metrics.h"
#include "scheduler_harness.h"

namespace rerankd::sched::testing {
namespace {

using ::testing::HasSubstr;

std::vector<text::Encoding> pairs_of(int job, int count, int length = 8) {
  std::vector<text::Encoding> pairs;
  for (int i = 0; i < count; ++i) pairs.push_back(make_test_pair(job, i, length));
  return pairs;
}

std::set<int> jobs_in(const std::vector<PairKey>& batch) {
  std::set<int> jobs;
  for (const auto& key : batch) jobs.insert(key.job);
  return jobs;
}

bool ever_ran(const FakeRecorder& recorder, int job) {
  for (const auto& batch : recorder.batches()) {
    if (jobs_in(batch).count(job) > 0) return true;
  }
  return false;
}

TEST(Scheduler, ConcurrentSubmittersGetExactlyTheirOwnLogitsInOrder) {
  Outcomes outcomes;
  auto opts = options(/*max_batch_size=*/8, /*timeout_ms=*/1);
  opts.num_labels = 2;
  auto f = make_scheduler(opts, /*workers=*/3);
  ASSERT_NE(f.scheduler, nullptr);
  constexpr int kThreads = 8;
  constexpr int kJobsPerThread = 40;
  std::vector<std::vector<text::Encoding>> sent(kThreads * kJobsPerThread);
  std::vector<std::thread> threads;
  std::atomic<int> rejected{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int j = 0; j < kJobsPerThread; ++j) {
        const int id = t * kJobsPerThread + j;
        std::vector<text::Encoding> pairs;
        // Lengths vary within a job, so sorting spreads one job over several batches.
        for (int i = 0; i < 1 + id % 13; ++i)
          pairs.push_back(make_test_pair(id, i, 4 + (id * 7 + i * 13) % 40));
        sent[id] = pairs;
        if (!f.scheduler->submit(outcomes.job(id, std::move(pairs))).ok()) ++rejected;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(rejected.load(), 0);
  ASSERT_TRUE(outcomes.await(sent.size()));
  std::size_t total_pairs = 0;
  for (int id = 0; id < static_cast<int>(sent.size()); ++id) {
    const auto got = outcomes.of(id);
    ASSERT_EQ(got.size(), 1u) << "job " << id;
    ASSERT_TRUE(got[0].status.ok()) << got[0].status.to_string();
    EXPECT_EQ(got[0].logits, expected_logits(sent[id], 2)) << "job " << id;
    EXPECT_GE(got[0].batches, 1u);
    total_pairs += sent[id].size();
  }
  // Every pair ran exactly once.
  std::set<std::pair<int, int>> seen;
  for (const auto& batch : f.recorder->batches()) {
    EXPECT_LE(batch.size(), 8u);
    for (const auto& key : batch) EXPECT_TRUE(seen.insert({key.job, key.index}).second);
  }
  EXPECT_EQ(seen.size(), total_pairs);
  EXPECT_EQ(f.scheduler->queued_pairs(), 0u);
}

TEST(Scheduler, PairsFromDifferentJobsShareABatch) {
  Outcomes outcomes;
  auto f = make_scheduler(options(/*max_batch_size=*/10, /*timeout_ms=*/60000), 1);
  ASSERT_NE(f.scheduler, nullptr);
  f.recorder->close_gate();
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(0, pairs_of(0, 10))).ok());  // a full batch
  ASSERT_TRUE(f.recorder->await_started(1));
  for (int id = 1; id <= 5; ++id) {
    ASSERT_TRUE(f.scheduler->submit(outcomes.job(id, pairs_of(id, 2))).ok());
  }
  f.recorder->open_gate();
  ASSERT_TRUE(outcomes.await(6));
  const auto batches = f.recorder->batches();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(jobs_in(batches[0]), (std::set<int>{0}));
  EXPECT_EQ(jobs_in(batches[1]), (std::set<int>{1, 2, 3, 4, 5}));
  for (int id = 1; id <= 5; ++id) {
    ASSERT_EQ(outcomes.of(id).size(), 1u);
    EXPECT_EQ(outcomes.of(id)[0].logits, expected_logits(pairs_of(id, 2), 1));
  }
}

TEST(Scheduler, ALoneRequestRunsAtOnceWhenAWorkerIsIdle) {
  Outcomes outcomes;
  auto opts = options(/*max_batch_size=*/64, /*timeout_ms=*/600000);
  opts.batching.close_when_idle = true;
  auto f = make_scheduler(opts, 1);
  ASSERT_NE(f.scheduler, nullptr);
  // With a ten-minute timeout, only the idle rule can run this 3-pair request before await's
  // one-minute safety timeout.
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(0, pairs_of(0, 3))).ok());
  ASSERT_TRUE(outcomes.await(1));
  ASSERT_EQ(outcomes.of(0).size(), 1u);
  EXPECT_EQ(outcomes.of(0)[0].logits, expected_logits(pairs_of(0, 3), 1));
}

TEST(Scheduler, RequestsArrivingWhileTheWorkerIsBusyShareTheNextBatch) {
  Outcomes outcomes;
  auto opts = options(/*max_batch_size=*/64, /*timeout_ms=*/600000);
  opts.batching.close_when_idle = true;
  auto f = make_scheduler(opts, 1);
  ASSERT_NE(f.scheduler, nullptr);
  f.recorder->close_gate();
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(0, pairs_of(0, 2))).ok());  // idle: runs alone
  ASSERT_TRUE(f.recorder->await_started(1));
  for (int id = 1; id <= 3; ++id) {
    ASSERT_TRUE(f.scheduler->submit(outcomes.job(id, pairs_of(id, 2))).ok());
  }
  f.recorder->open_gate();  // the worker frees up: what queued meanwhile runs together
  ASSERT_TRUE(outcomes.await(4));
  const auto batches = f.recorder->batches();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(jobs_in(batches[0]), (std::set<int>{0}));
  EXPECT_EQ(jobs_in(batches[1]), (std::set<int>{1, 2, 3}));
}

TEST(Scheduler, QueueFullRejectsTheWholeJobAndAdmitsNothing) {
  Outcomes outcomes;
  auto opts = options(/*max_batch_size=*/64, /*timeout_ms=*/60000);
  opts.max_queue_pairs = 10;
  auto f = make_scheduler(opts, 1);
  ASSERT_NE(f.scheduler, nullptr);
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(1, pairs_of(1, 6))).ok());
  const Status full = f.scheduler->submit(outcomes.job(2, pairs_of(2, 5)));
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr("max_queue_pairs 10"));
  EXPECT_EQ(f.scheduler->queued_pairs(), 6u);
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(3, pairs_of(3, 4))).ok());
  EXPECT_EQ(f.scheduler->submit(outcomes.job(4, pairs_of(4, 1))).code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(f.scheduler->queued_pairs(), 10u);
  f.scheduler->shutdown();  // drains without waiting for the 60 s timeout
  EXPECT_EQ(outcomes.total(), 2u);
  ASSERT_EQ(outcomes.of(1).size(), 1u);
  EXPECT_EQ(outcomes.of(1)[0].logits, expected_logits(pairs_of(1, 6), 1));
  ASSERT_EQ(outcomes.of(3).size(), 1u);
  EXPECT_TRUE(outcomes.of(3)[0].status.ok());
  EXPECT_FALSE(ever_ran(*f.recorder, 2));
  EXPECT_FALSE(ever_ran(*f.recorder, 4));
}

TEST(Scheduler, ExpiredJobGetsDeadlineExceededOnceAndNeverRuns) {
  Outcomes outcomes;
  metrics::Registry registry;
  auto f = make_scheduler(options(/*max_batch_size=*/2, /*timeout_ms=*/60000), 1, &registry);
  ASSERT_NE(f.scheduler, nullptr);
  f.recorder->close_gate();
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(0, pairs_of(0, 2))).ok());  // running
  ASSERT_TRUE(f.recorder->await_started(1));
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(1, pairs_of(1, 2))).ok());  // prefetched
  auto late = outcomes.job(2, pairs_of(2, 3));
  late->deadline = Clock::now() + std::chrono::milliseconds(20);
  ASSERT_TRUE(f.scheduler->submit(late).ok());
  ASSERT_TRUE(outcomes.await(1));  // only job 2 can finish while the gate is closed
  ASSERT_EQ(outcomes.of(2).size(), 1u);
  EXPECT_EQ(outcomes.of(2)[0].status.code(), StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(outcomes.of(2)[0].logits.empty());
  f.recorder->open_gate();
  ASSERT_TRUE(outcomes.await(3));
  f.scheduler->shutdown();
  EXPECT_EQ(outcomes.of(2).size(), 1u);
  EXPECT_TRUE(outcomes.of(0)[0].status.ok());
  EXPECT_TRUE(outcomes.of(1)[0].status.ok());
  EXPECT_FALSE(ever_ran(*f.recorder, 2));
  EXPECT_EQ(registry.counter("rerankd_pairs_dropped_total", "", R"(reason="deadline")").value(),
            3u);
}

TEST(Scheduler, CancelledJobsPairsAreDroppedBeforeTheyRun) {
  Outcomes outcomes;
  metrics::Registry registry;
  auto f = make_scheduler(options(/*max_batch_size=*/4, /*timeout_ms=*/60000), 1, &registry);
  ASSERT_NE(f.scheduler, nullptr);
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  auto job = outcomes.job(1, pairs_of(1, 3));  // 3 < 4 pairs: waits in the queue
  job->is_cancelled = [cancelled] { return cancelled->load(); };
  ASSERT_TRUE(f.scheduler->submit(job).ok());
  cancelled->store(true);
  ASSERT_TRUE(outcomes.await(1));
  ASSERT_EQ(outcomes.of(1).size(), 1u);
  EXPECT_EQ(outcomes.of(1)[0].status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(outcomes.of(1)[0].status.message(), HasSubstr("cancelled"));
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(2, pairs_of(2, 4))).ok());
  ASSERT_TRUE(outcomes.await(2));
  f.scheduler->shutdown();
  EXPECT_TRUE(outcomes.of(2)[0].status.ok());
  EXPECT_FALSE(ever_ran(*f.recorder, 1));
  EXPECT_EQ(outcomes.of(1).size(), 1u);
  EXPECT_EQ(registry.counter("rerankd_pairs_dropped_total", "", R"(reason="cancelled")").value(),
            3u);
  EXPECT_EQ(f.scheduler->queued_pairs(), 0u);
}

TEST(Scheduler, BackendErrorReachesEveryJobOfTheBatchAndOnlyThose) {
  Outcomes outcomes;
  auto f = make_scheduler(options(/*max_batch_size=*/4, /*timeout_ms=*/60000), 1);
  ASSERT_NE(f.scheduler, nullptr);
  f.recorder->close_gate();
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(0, pairs_of(0, 4))).ok());
  ASSERT_TRUE(f.recorder->await_started(1));
  auto bad = pairs_of(1, 2);
  bad[1] = make_test_pair(1, 1, 8, /*fail=*/true);
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(1, bad)).ok());
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(2, pairs_of(2, 2))).ok());  // same batch as 1
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(3, pairs_of(3, 4))).ok());  // the next batch
  f.recorder->open_gate();
  ASSERT_TRUE(outcomes.await(4));
  f.scheduler->shutdown();
  const auto batches = f.recorder->batches();
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(jobs_in(batches[1]), (std::set<int>{1, 2}));
  for (const int id : {0, 1, 2, 3}) ASSERT_EQ(outcomes.of(id).size(), 1u) << id;
  EXPECT_TRUE(outcomes.of(0)[0].status.ok());
  EXPECT_EQ(outcomes.of(1)[0].status.code(), StatusCode::kInternal);
  EXPECT_THAT(outcomes.of(1)[0].status.message(), HasSubstr("marker token"));
  EXPECT_EQ(outcomes.of(2)[0].status.code(), StatusCode::kInternal);
  EXPECT_TRUE(outcomes.of(3)[0].status.ok());
  EXPECT_EQ(outcomes.of(3)[0].logits, expected_logits(pairs_of(3, 4), 1));
}

// NaN weights answered `"score": null` with 200 (issue 19): a non-finite logit now fails its own
// request, naming the pair, and no other request of the batch.
TEST(Scheduler, ANonFiniteLogitFailsOnlyItsRequestNamingThePair) {
  Outcomes outcomes;
  auto f = make_scheduler(options(/*max_batch_size=*/4, /*timeout_ms=*/60000), 1);
  ASSERT_NE(f.scheduler, nullptr);
  f.recorder->close_gate();
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(0, pairs_of(0, 4))).ok());  // a full batch
  ASSERT_TRUE(f.recorder->await_started(1));
  auto bad = pairs_of(1, 3);
  bad[2] = make_nan_pair(1, 2, 8);
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(1, bad)).ok());
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(2, pairs_of(2, 1))).ok());  // fills 1's batch
  f.recorder->open_gate();
  ASSERT_TRUE(outcomes.await(3));
  f.scheduler->shutdown();
  ASSERT_EQ(f.recorder->batches().size(), 2u);
  EXPECT_EQ(jobs_in(f.recorder->batches()[1]), (std::set<int>{1, 2}));
  ASSERT_EQ(outcomes.of(1).size(), 1u);
  EXPECT_EQ(outcomes.of(1)[0].status.code(), StatusCode::kInternal);
  EXPECT_THAT(outcomes.of(1)[0].status.message(), HasSubstr("pair 2 scored a non-finite logit"));
  EXPECT_TRUE(outcomes.of(2)[0].status.ok());
  EXPECT_EQ(outcomes.of(2)[0].logits, expected_logits(pairs_of(2, 1), 1));
}

TEST(Scheduler, ARequestThatCannotFinishInTimeFailsBeforeAnyOfItsPairsRun) {
  Outcomes outcomes;
  auto f = make_scheduler(options(/*max_batch_size=*/4, /*timeout_ms=*/60000), 1);
  ASSERT_NE(f.scheduler, nullptr);
  // A first batch held for 200 ms teaches the scheduler about 50 ms a pair.
  f.recorder->close_gate();
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(0, pairs_of(0, 4))).ok());
  ASSERT_TRUE(f.recorder->await_started(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  f.recorder->open_gate();
  ASSERT_TRUE(outcomes.await(1));
  // 40 pairs need about 2 s; 500 ms are left: refused before any of them runs.
  auto hopeless = outcomes.job(1, pairs_of(1, 40));
  hopeless->deadline = Clock::now() + std::chrono::milliseconds(500);
  ASSERT_TRUE(f.scheduler->submit(hopeless).ok());
  // One that can finish still runs.
  auto feasible = outcomes.job(2, pairs_of(2, 4));
  feasible->deadline = Clock::now() + std::chrono::seconds(60);
  ASSERT_TRUE(f.scheduler->submit(feasible).ok());
  ASSERT_TRUE(outcomes.await(3));
  f.scheduler->shutdown();
  ASSERT_EQ(outcomes.of(1).size(), 1u);
  EXPECT_EQ(outcomes.of(1)[0].status.code(), StatusCode::kDeadlineExceeded);
  for (const auto& batch : f.recorder->batches()) {
    EXPECT_EQ(jobs_in(batch).count(1), 0u) << "a pair of the hopeless request ran";
  }
  EXPECT_TRUE(outcomes.of(2)[0].status.ok());
}

TEST(Scheduler, WithoutDeadlineAwarenessTheHopelessRequestStartsAndTimesOut) {
  // The same as above with batching.deadline_aware false: work is spent on it first.
  Outcomes outcomes;
  auto opts = options(/*max_batch_size=*/4, /*timeout_ms=*/60000);
  opts.batching.deadline_aware = false;
  auto f = make_scheduler(opts, 1);
  ASSERT_NE(f.scheduler, nullptr);
  auto hopeless = outcomes.job(1, pairs_of(1, 40));
  hopeless->deadline = Clock::now() + std::chrono::milliseconds(300);
  f.recorder->close_gate();
  ASSERT_TRUE(f.scheduler->submit(hopeless).ok());
  ASSERT_TRUE(f.recorder->await_started(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  f.recorder->open_gate();
  ASSERT_TRUE(outcomes.await(1));
  f.scheduler->shutdown();
  EXPECT_EQ(outcomes.of(1)[0].status.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(jobs_in(f.recorder->batches()[0]), (std::set<int>{1}));
}

TEST(Scheduler, AJobSplitAcrossBatchesFailsOnceWhenOneBatchFails) {
  Outcomes outcomes;
  auto f = make_scheduler(options(/*max_batch_size=*/2, /*timeout_ms=*/60000, true, false), 1);
  ASSERT_NE(f.scheduler, nullptr);
  auto pairs = pairs_of(1, 6);
  pairs[3] = make_test_pair(1, 3, 8, /*fail=*/true);  // the second of three batches fails
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(1, pairs)).ok());
  ASSERT_TRUE(outcomes.await(1));
  f.scheduler->shutdown();
  ASSERT_EQ(outcomes.of(1).size(), 1u);
  EXPECT_EQ(outcomes.of(1)[0].status.code(), StatusCode::kInternal);
}

TEST(Scheduler, ShutdownAnswersEveryAdmittedJobAndThenRefuses) {
  Outcomes outcomes;
  auto f = make_scheduler(options(/*max_batch_size=*/4, /*timeout_ms=*/60000), 2);
  ASSERT_NE(f.scheduler, nullptr);
  f.recorder->close_gate();
  int admitted = 0;
  for (int id = 0; id < 10; ++id) {
    ASSERT_TRUE(f.scheduler->submit(outcomes.job(id, pairs_of(id, 3))).ok());
    ++admitted;
  }
  ASSERT_TRUE(f.recorder->await_started(2));  // both workers hold a batch
  std::thread stopper([&] { f.scheduler->shutdown(); });
  // Keep submitting until shutdown has begun; whatever was admitted must still be answered.
  const auto give_up = Clock::now() + kSafetyTimeout;
  Status status;
  for (int id = 100; Clock::now() < give_up; ++id) {
    status = f.scheduler->submit(outcomes.job(id, pairs_of(id, 1)));
    if (!status.ok()) break;
    ++admitted;
  }
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  f.recorder->open_gate();
  stopper.join();
  EXPECT_EQ(outcomes.total(), static_cast<std::size_t>(admitted));
  for (int id = 0; id < 10; ++id) {
    ASSERT_EQ(outcomes.of(id).size(), 1u);
    EXPECT_EQ(outcomes.of(id)[0].logits, expected_logits(pairs_of(id, 3), 1));
  }
  f.scheduler->shutdown();  // idempotent
  EXPECT_EQ(f.scheduler->submit(outcomes.job(999, pairs_of(999, 1))).code(),
            StatusCode::kUnavailable);
}

TEST(Scheduler, DisabledBatchingNeverMixesJobs) {
  Outcomes outcomes;
  auto f = make_scheduler(options(/*max_batch_size=*/4, /*timeout_ms=*/50, /*enabled=*/false), 2);
  ASSERT_NE(f.scheduler, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int j = 0; j < 20; ++j) {
        const int id = t * 20 + j;
        EXPECT_TRUE(f.scheduler->submit(outcomes.job(id, pairs_of(id, 1 + id % 10))).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(outcomes.await(80));
  for (const auto& batch : f.recorder->batches()) EXPECT_EQ(jobs_in(batch).size(), 1u);
  for (int id = 0; id < 80; ++id) {
    const std::size_t n = 1 + id % 10;
    ASSERT_EQ(outcomes.of(id).size(), 1u);
    EXPECT_EQ(outcomes.of(id)[0].batches, (n + 3) / 4) << "job " << id;
    EXPECT_EQ(outcomes.of(id)[0].logits, expected_logits(pairs_of(id, static_cast<int>(n)), 1));
  }
}

TEST(Scheduler, JobWithoutPairsIsAnsweredOk) {
  Outcomes outcomes;
  auto f = make_scheduler(options(4, 60000), 1);
  ASSERT_NE(f.scheduler, nullptr);
  ASSERT_TRUE(f.scheduler->submit(outcomes.job(1, {})).ok());
  ASSERT_TRUE(outcomes.await(1));
  EXPECT_TRUE(outcomes.of(1)[0].status.ok());
  EXPECT_TRUE(outcomes.of(1)[0].logits.empty());
  EXPECT_TRUE(f.recorder->batches().empty());
}

TEST(Scheduler, MalformedJobsAreRejectedBeforeTheQueue) {
  Outcomes outcomes;
  auto opts = options(4, 60000);
  opts.max_pair_tokens = 16;
  auto f = make_scheduler(opts, 1);
  ASSERT_NE(f.scheduler, nullptr);
  EXPECT_EQ(f.scheduler->submit(nullptr).code(), StatusCode::kInvalidArgument);
  auto empty_pair = pairs_of(1, 2);
  empty_pair[1].clear();
  EXPECT_EQ(f.scheduler->submit(outcomes.job(1, empty_pair)).code(), StatusCode::kInvalidArgument);
  auto mismatched = pairs_of(2, 1);
  mismatched[0].token_type_ids.pop_back();
  EXPECT_EQ(f.scheduler->submit(outcomes.job(2, mismatched)).code(), StatusCode::kInvalidArgument);
  const Status too_long = f.scheduler->submit(outcomes.job(3, pairs_of(3, 1, 17)));
  EXPECT_EQ(too_long.code(), StatusCode::kOutOfRange);
  EXPECT_THAT(too_long.message(), HasSubstr("17 tokens"));
  auto no_callback = outcomes.job(4, pairs_of(4, 1));
  no_callback->on_done = nullptr;
  EXPECT_EQ(f.scheduler->submit(no_callback).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(f.scheduler->queued_pairs(), 0u);
  f.scheduler->shutdown();
  EXPECT_EQ(outcomes.total(), 0u);
}

TEST(Scheduler, CreateRejectsBadOptionsNamingTheKey) {
  std::vector<std::unique_ptr<backend::Backend>> none;
  EXPECT_EQ(Scheduler::create(options(4, 10), std::move(none), nullptr).status().code(),
            StatusCode::kInvalidArgument);
  auto one = [] {
    std::vector<std::unique_ptr<backend::Backend>> backends;
    backends.push_back(std::make_unique<FakeBackend>(std::make_shared<FakeRecorder>(), 1));
    return backends;
  };
  const auto bad_size = Scheduler::create(options(0, 10), one(), nullptr);
  ASSERT_FALSE(bad_size.ok());
  EXPECT_THAT(bad_size.status().message(), HasSubstr("batching.max_batch_size"));
  const auto bad_timeout = Scheduler::create(options(4, -1), one(), nullptr);
  ASSERT_FALSE(bad_timeout.ok());
  EXPECT_THAT(bad_timeout.status().message(), HasSubstr("batching.timeout_ms"));
}

TEST(Scheduler, MetricsCountBatchesAndPairs) {
  Outcomes outcomes;
  metrics::Registry registry;
  auto f = make_scheduler(options(/*max_batch_size=*/4, /*timeout_ms=*/0), 2, &registry);
  ASSERT_NE(f.scheduler, nullptr);
  for (int id = 0; id < 5; ++id) {
    ASSERT_TRUE(f.scheduler->submit(outcomes.job(id, pairs_of(id, 3))).ok());
  }
  ASSERT_TRUE(outcomes.await(5));
  f.scheduler->shutdown();
  const auto& batch_size = registry.histogram("rerankd_batch_size_pairs", "", {});
  EXPECT_EQ(batch_size.sum(), 15.0);
  EXPECT_EQ(batch_size.count(), f.recorder->batches().size());
  EXPECT_EQ(registry.histogram("rerankd_batch_padded_tokens", "", {}).sum(),
            8.0 * 15.0);  // every pair is 8 tokens: no padding
  EXPECT_EQ(registry.histogram("rerankd_queue_time_seconds", "", {}).count(), 15u);
  EXPECT_EQ(registry.histogram("rerankd_inference_time_seconds", "", {}).count(),
            batch_size.count());
  EXPECT_EQ(registry.gauge("rerankd_queue_pairs", "").value(), 0);
  EXPECT_EQ(registry.gauge("rerankd_inflight_batches", "").value(), 0);
  const std::string text = registry.render();
  EXPECT_THAT(text, HasSubstr("# TYPE rerankd_batch_size_pairs histogram"));
  EXPECT_THAT(text, HasSubstr(R"(rerankd_pairs_dropped_total{reason="deadline"} 0)"));
}

}  // namespace
}  // namespace rerankd::sched::testing
