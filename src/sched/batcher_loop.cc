// The batcher thread: the only code that touches the queue and the jobs' state.
#include <algorithm>
#include <string>
#include <utility>

#include "common/finite.h"
#include "sched/dynamic_scheduler.h"

namespace rerankd::sched {
namespace {

// How often queued jobs are asked is_cancelled() when nothing else wakes the batcher: a
// disconnected client's pairs leave the queue within this time.
constexpr auto kCancelPollInterval = std::chrono::milliseconds(10);

std::string unscored(std::size_t queued, std::size_t total) {
  return std::to_string(queued) + " of " + std::to_string(total) + " pairs still queued";
}

}  // namespace

void DynamicScheduler::batcher_loop() {
  auto wake_at = Clock::time_point::max();
  for (;;) {
    std::vector<std::pair<std::shared_ptr<JobState>, Clock::time_point>> arrivals;
    std::vector<std::unique_ptr<FormedBatch>> done;
    bool stopping = false;
    bool slot_free = false;
    {
      std::unique_lock lock(mutex_);
      const auto woken = [this] { return batcher_wake_; };
      if (wake_at == Clock::time_point::max()) {
        batcher_cv_.wait(lock, woken);
      } else {
        batcher_cv_.wait_until(lock, wake_at, woken);
      }
      batcher_wake_ = false;
      arrivals.swap(inbox_);
      done.swap(completions_);
      stopping = stopping_;
      slot_free = ready_ == nullptr;
    }
    for (auto& batch : done) complete(*batch);
    for (auto& [job, enqueued] : arrivals) enqueue(std::move(job), enqueued);
    const auto now = Clock::now();
    wake_at = sweep(now);
    if (slot_free && options_.batching.deadline_aware) fail_jobs_that_cannot_finish(now);
    drop_finished_pairs();

    if (slot_free) {
      auto batch = form_batch(now, stopping, wake_at);
      if (batch != nullptr) {
        std::lock_guard lock(mutex_);
        ready_ = std::move(batch);
        worker_cv_.notify_one();
      }
    }
    if (stopping && queue_.empty() && outstanding_batches_ == 0) {
      std::lock_guard lock(mutex_);
      workers_exit_ = true;
      worker_cv_.notify_all();
      return;
    }
  }
}

void DynamicScheduler::enqueue(std::shared_ptr<JobState> job, Clock::time_point enqueued) {
  const std::size_t pairs = job->job().pairs.size();
  if (pairs == 0) {
    job->succeed();
    return;
  }
  for (std::size_t i = 0; i < pairs; ++i) {
    queue_.push_back({job, static_cast<std::uint32_t>(i), enqueued});
  }
  job->queued = pairs;
  queued_jobs_.push_back(std::move(job));
}

void DynamicScheduler::complete(FormedBatch& batch) {
  --outstanding_batches_;
  metrics_.batch_ran(batch.done - batch.started);
  if (batch.status.ok() && !batch.pairs.empty()) {
    const auto per_pair =
        (batch.done - batch.started) / static_cast<std::int64_t>(batch.pairs.size());
    // A short memory (weight 1/4 for the newest batch): the speed follows batch sizes and
    // lengths as the load changes.
    pair_time_ = pair_time_.count() == 0 ? per_pair : (pair_time_ * 3 + per_pair) / 4;
  }
  const std::size_t labels = options_.num_labels;
  for (std::size_t i = 0; i < batch.pairs.size(); ++i) {
    auto& pair = batch.pairs[i];
    JobState& job = *pair.job;
    metrics_.pair_started(batch.started - pair.enqueued);
    if (job.finished()) continue;  // failed earlier (deadline, cancel, another batch's error)
    job.record_batch(batch.seq, batch.started, batch.done);
    if (!batch.status.ok()) {
      job.fail(
          batch.status.with_context("batch of " + std::to_string(batch.pairs.size()) + " pairs"),
          DropReason::kError);
    } else if (const std::size_t bad = first_non_finite({batch.logits.data() + i * labels, labels});
               bad != kAllFinite) {
      // A NaN or infinite logit (an overflow, or weights gone bad) is no score to rank by.
      job.fail({StatusCode::kInternal, "pair " + std::to_string(pair.index) +
                                           " scored a non-finite logit (" +
                                           std::to_string(batch.logits[i * labels + bad]) + ")"},
               DropReason::kError);
    } else if (job.record_pair(pair.index, batch.logits.data() + i * labels,
                               batch.started - pair.enqueued)) {
      job.succeed();
    }
  }
}

Clock::time_point DynamicScheduler::sweep(Clock::time_point now) {
  auto next_check = Clock::time_point::max();
  std::erase_if(queued_jobs_, [](const auto& job) { return job->finished() || job->queued == 0; });
  for (const auto& job : queued_jobs_) {
    const ScoringJob& request = job->job();
    if (now >= request.deadline) {
      job->fail({StatusCode::kDeadlineExceeded,
                 "request deadline passed with " + unscored(job->queued, request.pairs.size())},
                DropReason::kDeadline);
    } else if (request.is_cancelled && request.is_cancelled()) {
      job->fail({StatusCode::kUnavailable,
                 "request cancelled with " + unscored(job->queued, request.pairs.size())},
                DropReason::kCancelled);
    } else {
      next_check = std::min(next_check, request.deadline);
      if (request.is_cancelled) next_check = std::min(next_check, now + kCancelPollInterval);
    }
  }
  return next_check;
}

void DynamicScheduler::drop_finished_pairs() {
  std::size_t dropped = 0;
  std::erase_if(queue_, [&](const QueuedPair& pair) {
    if (!pair.job->finished()) return false;
    metrics_.dropped(pair.job->drop_reason(), 1);
    --pair.job->queued;
    ++dropped;
    return true;
  });
  if (dropped == 0) return;
  admitted_pairs_.fetch_sub(dropped);
  metrics_.queued(-static_cast<std::ptrdiff_t>(dropped));
}

void DynamicScheduler::fail_jobs_that_cannot_finish(Clock::time_point now) {
  if (pair_time_.count() == 0) return;  // no speed measured yet: no grounds to refuse
  const std::size_t window = std::min(queue_.size(), policy_window(options_.batching));
  const auto workers = static_cast<std::int64_t>(backends_.size());
  for (std::size_t i = 0; i < window; ++i) {
    JobState& job = *queue_[i].job;
    // A request's queued pairs lie together in arrival order, so each is judged once, at its
    // first; and only requests no work was spent on yet.
    if ((i > 0 && queue_[i - 1].job == queue_[i].job) || job.batched || job.finished()) continue;
    const ScoringJob& request = job.job();
    if (request.deadline == Clock::time_point::max()) continue;
    // Its pairs are queued in arrival order from position i: its last one is i + queued - 1,
    // and every pair up to it is scored first, `workers` batches at a time.
    const auto pairs_to_its_end = static_cast<std::int64_t>(i + job.queued);
    const auto work = pair_time_ * pairs_to_its_end / workers;
    if (now + work <= request.deadline) continue;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(request.deadline - now);
    job.fail(
        {StatusCode::kDeadlineExceeded,
         "request cannot finish before its deadline: about " +
             std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(work).count()) +
             " ms of scoring up to its last pair, " + std::to_string(left.count()) +
             " ms left; none of its " + std::to_string(request.pairs.size()) +
             " pairs were scored"},
        DropReason::kDeadline);
  }
}

std::unique_ptr<FormedBatch> DynamicScheduler::form_batch(Clock::time_point now, bool flush,
                                                          Clock::time_point& wake_at) {
  if (queue_.empty()) return nullptr;
  const std::size_t window = std::min(queue_.size(), policy_window(options_.batching));
  std::vector<PairView> view(window);
  for (std::size_t i = 0; i < window; ++i) {
    const QueuedPair& pair = queue_[i];
    view[i] = {pair.enqueued, pair.job->tokens(pair.index), pair.job->id()};
  }
  // The ready slot is free here, so every outstanding batch is on a worker.
  const bool worker_idle = outstanding_batches_ < backends_.size();
  // Deep: more pairs wait than one sort window holds.
  const bool deep_queue = queue_.size() > window;
  const BatchDecision decision =
      decide_batch(view, now, options_.batching, flush, worker_idle, deep_queue);
  if (decision.take.empty()) {
    wake_at = std::min(wake_at, decision.wake_at);
    return nullptr;
  }

  auto batch = std::make_unique<FormedBatch>();
  batch->seq = next_batch_seq_++;
  batch->pairs.reserve(decision.take.size());
  std::vector<QueuedPair> kept;
  kept.reserve(window - decision.take.size());
  std::size_t next_take = 0;
  for (std::size_t i = 0; i < window; ++i) {
    QueuedPair& pair = queue_[i];
    if (next_take < decision.take.size() && decision.take[next_take] == i) {
      ++next_take;
      const auto& encoding = pair.job->job().pairs[pair.index];
      batch->packed.add(encoding.input_ids, encoding.token_type_ids);
      --pair.job->queued;
      pair.job->batched = true;
      batch->pairs.push_back(std::move(pair));
    } else {
      kept.push_back(std::move(pair));
    }
  }
  // Put the pairs the batch skipped back at the head, in their arrival order.
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(window));
  queue_.insert(queue_.begin(), std::make_move_iterator(kept.begin()),
                std::make_move_iterator(kept.end()));

  const std::size_t pairs = batch->pairs.size();
  batch->padded_tokens = pairs * static_cast<std::size_t>(batch->packed.max_length);
  admitted_pairs_.fetch_sub(pairs);
  metrics_.queued(-static_cast<std::ptrdiff_t>(pairs));
  metrics_.batch_formed(pairs, batch->padded_tokens);
  ++outstanding_batches_;
  return batch;
}

}  // namespace rerankd::sched
