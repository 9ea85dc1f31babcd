// The scheduler's bookkeeping for one admitted request and the batches its pairs travel in.
// Batcher thread only, except where a member says otherwise.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "backend/packed_batch.h"
#include "common/status.h"
#include "sched/scheduler.h"
#include "sched/scheduler_metrics.h"

namespace rerankd::sched {

class JobState {
 public:
  JobState(std::shared_ptr<ScoringJob> job, std::uint64_t id, std::size_t num_labels);

  std::uint64_t id() const { return id_; }
  const ScoringJob& job() const { return *job_; }
  std::int32_t tokens(std::size_t pair) const {
    return static_cast<std::int32_t>(job_->pairs[pair].size());
  }
  bool finished() const { return finished_; }
  DropReason drop_reason() const { return drop_reason_; }

  // Pairs of this job still in the queue.
  std::size_t queued = 0;
  // Some of its pairs were formed into a batch: work has been spent on it.
  bool batched = false;

  // A batch holding some of this job's pairs ran from `started` to `done` (once per batch).
  void record_batch(std::uint64_t batch_seq, Clock::time_point started, Clock::time_point done);
  // Stores one pair's logits; returns true when it was the last unscored pair.
  bool record_pair(std::size_t pair, const float* logits, std::chrono::nanoseconds queue_time);

  // Calls on_done exactly once: with the logits when every pair is scored, or with `status`.
  // Later calls do nothing.
  void succeed();
  void fail(Status status, DropReason reason);

 private:
  void finish(RequestOutcome outcome);

  std::shared_ptr<ScoringJob> job_;
  std::uint64_t id_;
  std::size_t num_labels_;
  std::vector<float> logits_;
  std::size_t unscored_;
  bool finished_ = false;
  DropReason drop_reason_ = DropReason::kError;
  std::uint64_t last_batch_ = 0;  // batch sequence numbers start at 1
  std::size_t batches_ = 0;
  std::chrono::nanoseconds queue_time_{0};
  Clock::time_point first_start_ = Clock::time_point::max();
  Clock::time_point last_done_ = Clock::time_point::min();
};

// A pair waiting in the queue, or travelling in a batch.
struct QueuedPair {
  std::shared_ptr<JobState> job;
  std::uint32_t index = 0;  // position in the job's pairs
  Clock::time_point enqueued;
};

// A batch from formation to completion. The batcher fills it; one worker runs it and writes
// `started`, `done`, `status` and `logits`; then it returns to the batcher.
struct FormedBatch {
  std::uint64_t seq = 0;
  std::vector<QueuedPair> pairs;
  backend::PackedBatch packed;
  std::size_t padded_tokens = 0;
  Clock::time_point started;
  Clock::time_point done;
  Status status;
  std::vector<float> logits;
};

}  // namespace rerankd::sched
