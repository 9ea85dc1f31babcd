#include "scheduler_harness.h"

namespace rerankd::sched::testing {

std::shared_ptr<ScoringJob> Outcomes::job(int id, std::vector<text::Encoding> pairs) {
  auto job = std::make_shared<ScoringJob>();
  job->pairs = std::move(pairs);
  job->on_done = [this, id](RequestOutcome outcome) {
    {
      std::lock_guard lock(mutex_);
      by_id_[id].push_back(std::move(outcome));
      ++total_;
    }
    cv_.notify_all();
  };
  return job;
}

bool Outcomes::await(std::size_t n) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, kSafetyTimeout, [&] { return total_ >= n; });
}

std::vector<RequestOutcome> Outcomes::of(int id) {
  std::lock_guard lock(mutex_);
  return by_id_[id];
}

std::size_t Outcomes::total() {
  std::lock_guard lock(mutex_);
  return total_;
}

Fixture make_scheduler(const SchedulerOptions& options, int workers, metrics::Registry* registry) {
  Fixture f;
  std::vector<std::unique_ptr<backend::Backend>> backends;
  for (int i = 0; i < workers; ++i) {
    backends.push_back(std::make_unique<FakeBackend>(f.recorder, options.num_labels));
  }
  auto scheduler = Scheduler::create(options, std::move(backends), registry);
  if (scheduler.ok()) f.scheduler = std::move(scheduler).value();
  return f;
}

SchedulerOptions options(int max_batch_size, int timeout_ms, bool enabled, bool sort) {
  SchedulerOptions o;
  o.batching.enabled = enabled;
  o.batching.max_batch_size = max_batch_size;
  o.batching.max_batch_tokens = 1 << 20;
  o.batching.timeout_ms = timeout_ms;
  o.batching.sort_by_length = sort;
  // The tests of size and timeout closes want batches to wait for company even with a worker
  // idle; the idle rule has its own tests.
  o.batching.close_when_idle = false;
  return o;
}

std::vector<float> expected_logits(const std::vector<text::Encoding>& pairs,
                                   std::size_t num_labels) {
  std::vector<float> out;
  for (const auto& p : pairs) {
    for (std::size_t l = 0; l < num_labels; ++l) out.push_back(expected_logit(p.input_ids, l));
  }
  return out;
}

}  // namespace rerankd::sched::testing
