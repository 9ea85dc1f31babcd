#include "sched/job_state.h"

#include <algorithm>
#include <string>
#include <utility>

namespace rerankd::sched {

JobState::JobState(std::shared_ptr<ScoringJob> job, std::uint64_t id, std::size_t num_labels)
    : job_(std::move(job)),
      id_(id),
      num_labels_(num_labels),
      logits_(job_->pairs.size() * num_labels, 0.0f),
      unscored_(job_->pairs.size()) {}

void JobState::record_batch(std::uint64_t batch_seq, Clock::time_point started,
                            Clock::time_point done) {
  if (batch_seq == last_batch_) return;
  last_batch_ = batch_seq;
  ++batches_;
  first_start_ = std::min(first_start_, started);
  last_done_ = std::max(last_done_, done);
}

bool JobState::record_pair(std::size_t pair, const float* logits,
                           std::chrono::nanoseconds queue_time) {
  std::copy(logits, logits + num_labels_,
            logits_.begin() + static_cast<std::ptrdiff_t>(pair * num_labels_));
  queue_time_ = std::max(queue_time_, queue_time);
  return --unscored_ == 0;
}

void JobState::succeed() {
  RequestOutcome outcome;
  outcome.logits = std::move(logits_);
  finish(std::move(outcome));
}

void JobState::fail(Status status, DropReason reason) {
  if (finished_) return;
  drop_reason_ = reason;
  RequestOutcome outcome;
  outcome.status = std::move(status);
  finish(std::move(outcome));
}

void JobState::finish(RequestOutcome outcome) {
  if (finished_) return;
  finished_ = true;
  outcome.queue_time = queue_time_;
  outcome.batches = batches_;
  if (batches_ > 0) outcome.inference_time = last_done_ - first_start_;
  try {
    job_->on_done(std::move(outcome));
  } catch (...) {
    // on_done must not throw; if it does, the batcher thread must survive to answer the
    // other requests, so the exception stops here.
  }
}

}  // namespace rerankd::sched
