// Helpers for the scheduler tests: jobs whose outcomes are collected per request id, and
// schedulers over fake backends.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "fake_backend.h"
#include "sched/scheduler.h"

namespace rerankd::sched::testing {

// Collects every on_done call. Declare it before the scheduler so it outlives it.
class Outcomes {
 public:
  std::shared_ptr<ScoringJob> job(int id, std::vector<text::Encoding> pairs);
  // Waits until `n` outcomes arrived in all (safety timeout); false on timeout.
  bool await(std::size_t n);
  // The outcomes for request `id` (normally exactly one).
  std::vector<RequestOutcome> of(int id);
  std::size_t total();

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<int, std::vector<RequestOutcome>> by_id_;
  std::size_t total_ = 0;
};

struct Fixture {
  std::shared_ptr<FakeRecorder> recorder = std::make_shared<FakeRecorder>();
  std::unique_ptr<Scheduler> scheduler;
};

// A scheduler over `workers` fake backends; null registry unless given.
Fixture make_scheduler(const SchedulerOptions& options, int workers,
                       metrics::Registry* registry = nullptr);

SchedulerOptions options(int max_batch_size, int timeout_ms, bool enabled = true, bool sort = true);

// The logits the fake gives these pairs, in order.
std::vector<float> expected_logits(const std::vector<text::Encoding>& pairs,
                                   std::size_t num_labels);

}  // namespace rerankd::sched::testing
