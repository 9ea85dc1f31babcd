// The Scheduler: one batcher thread owns the queue and every job's state; one worker thread
// per backend runs batches. Producers reach the batcher through mutex_ (an inbox of jobs);
// workers take batches from a one-batch ready slot (TEI's "prefetch one batch") and hand them
// back through mutex_ (a completion list). Only the batcher reads or writes the queue and the
// jobs, so none of that needs a lock.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sched/batch_policy.h"
#include "sched/job_state.h"
#include "sched/scheduler.h"
#include "sched/scheduler_metrics.h"

namespace rerankd::sched {

class DynamicScheduler final : public Scheduler {
 public:
  // Starts the threads. `options` must be valid (Scheduler::create checks).
  DynamicScheduler(const SchedulerOptions& options,
                   std::vector<std::unique_ptr<backend::Backend>> backends,
                   metrics::Registry* registry);
  ~DynamicScheduler() override;

  Status submit(std::shared_ptr<ScoringJob> job) override;  // thread-safe; takes mutex_
  void shutdown() override;                                 // thread-safe; takes join_mutex_
  std::size_t queued_pairs() const override { return admitted_pairs_.load(); }

 private:
  Status check_job(const ScoringJob& job) const;

  // Batcher thread only.
  void batcher_loop();
  void enqueue(std::shared_ptr<JobState> job, Clock::time_point enqueued);
  void complete(FormedBatch& batch);
  Clock::time_point sweep(Clock::time_point now);
  void drop_finished_pairs();
  void fail_jobs_that_cannot_finish(Clock::time_point now);
  std::unique_ptr<FormedBatch> form_batch(Clock::time_point now, bool flush,
                                          Clock::time_point& wake_at);

  // Worker thread `index` only (besides taking mutex_ to exchange batches).
  void worker_loop(std::size_t index);
  void run_batch(backend::Backend& backend, FormedBatch& batch);

  const SchedulerOptions options_;
  std::vector<std::unique_ptr<backend::Backend>> backends_;
  SchedulerMetrics metrics_;

  // Pairs admitted and not yet batched or dropped: submit adds under mutex_, the batcher
  // subtracts; an atomic so queued_pairs() needs no lock.
  std::atomic<std::size_t> admitted_pairs_{0};

  // Guarded by mutex_.
  std::mutex mutex_;
  std::condition_variable batcher_cv_;
  std::condition_variable worker_cv_;
  bool batcher_wake_ = false;
  bool stopping_ = false;      // shutdown began: submit refuses
  bool workers_exit_ = false;  // the batcher drained everything
  std::uint64_t next_job_id_ = 1;
  std::vector<std::pair<std::shared_ptr<JobState>, Clock::time_point>> inbox_;
  std::vector<std::unique_ptr<FormedBatch>> completions_;
  std::unique_ptr<FormedBatch> ready_;  // the prefetched batch, at most one

  // Batcher thread only.
  std::deque<QueuedPair> queue_;
  std::vector<std::shared_ptr<JobState>> queued_jobs_;  // jobs that may have queued pairs
  std::size_t outstanding_batches_ = 0;                 // formed, not yet completed
  std::uint64_t next_batch_seq_ = 1;
  // Backend time per pair, a moving average over completed batches (zero until the first):
  // what batching.deadline_aware estimates a request's remaining work with.
  std::chrono::nanoseconds pair_time_{0};

  std::mutex join_mutex_;  // serialises shutdown()
  std::thread batcher_;
  std::vector<std::thread> workers_;
};

}  // namespace rerankd::sched
