// Scheduler::create: checks the options, then starts the one implementation.
#include "sched/scheduler.h"

#include <string>

#include "sched/dynamic_scheduler.h"

namespace rerankd::sched {
namespace {

Status positive(const char* key, long long value) {
  if (value > 0) return Status::ok_status();
  return invalid_argument(std::string(key) + ": " + std::to_string(value) + " must be positive");
}

Status check_options(const SchedulerOptions& options, std::size_t num_backends) {
  const auto& batching = options.batching;
  RERANKD_RETURN_IF_ERROR(positive("batching.max_batch_size", batching.max_batch_size));
  RERANKD_RETURN_IF_ERROR(positive("batching.max_batch_tokens", batching.max_batch_tokens));
  if (batching.timeout_ms < 0) {
    return invalid_argument("batching.timeout_ms: " + std::to_string(batching.timeout_ms) +
                            " is negative");
  }
  RERANKD_RETURN_IF_ERROR(positive("server.max_queue_pairs", options.max_queue_pairs));
  RERANKD_RETURN_IF_ERROR(positive("num_labels", static_cast<long long>(options.num_labels)));
  if (options.max_pair_tokens < 0) {
    return invalid_argument("max_pair_tokens: " + std::to_string(options.max_pair_tokens) +
                            " is negative");
  }
  if (num_backends == 0) return invalid_argument("the scheduler needs at least one backend");
  return Status::ok_status();
}

}  // namespace

Result<std::unique_ptr<Scheduler>> Scheduler::create(
    const SchedulerOptions& options, std::vector<std::unique_ptr<backend::Backend>> backends,
    metrics::Registry* registry) {
  RERANKD_RETURN_IF_ERROR(check_options(options, backends.size()));
  for (std::size_t i = 0; i < backends.size(); ++i) {
    if (backends[i] == nullptr) {
      return invalid_argument("backend " + std::to_string(i) + " of the scheduler is null");
    }
  }
  std::unique_ptr<Scheduler> scheduler =
      std::make_unique<DynamicScheduler>(options, std::move(backends), registry);
  return scheduler;
}

}  // namespace rerankd::sched
