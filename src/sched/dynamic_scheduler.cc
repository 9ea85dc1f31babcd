// Admission, shutdown and the worker threads; the batcher's work is in batcher_loop.cc.
#include "sched/dynamic_scheduler.h"

#include <exception>
#include <string>
#include <utility>

namespace rerankd::sched {

DynamicScheduler::DynamicScheduler(const SchedulerOptions& options,
                                   std::vector<std::unique_ptr<backend::Backend>> backends,
                                   metrics::Registry* registry)
    : options_(options), backends_(std::move(backends)), metrics_(registry) {
  batcher_ = std::thread([this] { batcher_loop(); });
  workers_.reserve(backends_.size());
  for (std::size_t i = 0; i < backends_.size(); ++i) {
    workers_.emplace_back([this, i] { worker_loop(i); });
  }
}

DynamicScheduler::~DynamicScheduler() { shutdown(); }

Status DynamicScheduler::check_job(const ScoringJob& job) const {
  if (!job.on_done) return invalid_argument("scoring job has no on_done callback");
  for (std::size_t i = 0; i < job.pairs.size(); ++i) {
    const auto& pair = job.pairs[i];
    if (pair.input_ids.empty()) {
      return invalid_argument("pair " + std::to_string(i) + " has no tokens");
    }
    if (pair.input_ids.size() != pair.token_type_ids.size()) {
      return invalid_argument("pair " + std::to_string(i) + " has " +
                              std::to_string(pair.input_ids.size()) + " token ids but " +
                              std::to_string(pair.token_type_ids.size()) + " token type ids");
    }
    if (options_.max_pair_tokens > 0 &&
        pair.size() > static_cast<std::size_t>(options_.max_pair_tokens)) {
      return out_of_range("pair " + std::to_string(i) + " has " + std::to_string(pair.size()) +
                          " tokens, more than the " + std::to_string(options_.max_pair_tokens) +
                          " allowed");
    }
  }
  return Status::ok_status();
}

Status DynamicScheduler::submit(std::shared_ptr<ScoringJob> job) {
  if (job == nullptr) return invalid_argument("null scoring job");
  RERANKD_RETURN_IF_ERROR(check_job(*job));
  const std::size_t pairs = job->pairs.size();
  const auto limit = static_cast<std::size_t>(options_.max_queue_pairs);
  std::lock_guard lock(mutex_);
  if (stopping_) return {StatusCode::kUnavailable, "the scheduler is shutting down"};
  // Only submitters add, and they hold mutex_; the batcher only subtracts, which can only make
  // room between this check and the add.
  const std::size_t queued = admitted_pairs_.load();
  if (queued + pairs > limit) {
    return {StatusCode::kResourceExhausted,
            "queue full: " + std::to_string(pairs) + " pairs do not fit beside the " +
                std::to_string(queued) + " queued (max_queue_pairs " + std::to_string(limit) + ")"};
  }
  admitted_pairs_.fetch_add(pairs);
  metrics_.queued(static_cast<std::ptrdiff_t>(pairs));
  auto state = std::make_shared<JobState>(std::move(job), next_job_id_++, options_.num_labels);
  // The enqueue time is read under mutex_, so arrival order and enqueue times agree.
  inbox_.emplace_back(std::move(state), Clock::now());
  batcher_wake_ = true;
  batcher_cv_.notify_one();
  return Status::ok_status();
}

void DynamicScheduler::shutdown() {
  std::lock_guard join_lock(join_mutex_);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    batcher_wake_ = true;
  }
  batcher_cv_.notify_one();
  if (batcher_.joinable()) batcher_.join();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

void DynamicScheduler::worker_loop(std::size_t index) {
  backend::Backend& backend = *backends_[index];
  std::size_t activation_bytes = 0;  // this backend's share of the gauge
  std::unique_lock lock(mutex_);
  for (;;) {
    worker_cv_.wait(lock, [this] { return ready_ != nullptr || workers_exit_; });
    if (ready_ == nullptr) return;  // workers_exit_ and nothing left to run
    std::unique_ptr<FormedBatch> batch = std::move(ready_);
    batcher_wake_ = true;  // the slot is free: the batcher may prefetch the next batch
    batcher_cv_.notify_one();
    lock.unlock();
    run_batch(backend, *batch);
    const std::size_t held = backend.activation_bytes();
    metrics_.activation_memory(static_cast<std::ptrdiff_t>(held) -
                               static_cast<std::ptrdiff_t>(activation_bytes));
    activation_bytes = held;
    lock.lock();
    completions_.push_back(std::move(batch));
    batcher_wake_ = true;
    batcher_cv_.notify_one();
  }
}

void DynamicScheduler::run_batch(backend::Backend& backend, FormedBatch& batch) {
  metrics_.inflight(1);
  batch.started = Clock::now();
  try {
    auto result = backend.run(batch.packed);
    if (result.ok()) {
      batch.logits = std::move(result).value();
    } else {
      batch.status = std::move(result).status();
    }
  } catch (const std::exception& e) {
    // Backends return errors as values; this only keeps a stray exception on its thread.
    batch.status = internal_error(std::string("backend threw: ") + e.what());
  } catch (...) {
    batch.status = internal_error("backend threw a non-standard exception");
  }
  batch.done = Clock::now();
  metrics_.inflight(-1);
  const std::size_t expected = batch.packed.num_pairs() * options_.num_labels;
  if (batch.status.ok() && batch.logits.size() != expected) {
    batch.status = internal_error("backend returned " + std::to_string(batch.logits.size()) +
                                  " logits for " + std::to_string(batch.packed.num_pairs()) +
                                  " pairs x " + std::to_string(options_.num_labels) + " labels");
  }
}

}  // namespace rerankd::sched
