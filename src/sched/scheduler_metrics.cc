#include "sched/scheduler_metrics.h"

#include "metrics/metrics.h"

namespace rerankd::sched {
namespace {

constexpr const char* kDroppedName = "rerankd_pairs_dropped_total";
constexpr const char* kDroppedHelp = "Queued pairs that never ran, by reason.";

double seconds(std::chrono::nanoseconds t) { return std::chrono::duration<double>(t).count(); }

}  // namespace

SchedulerMetrics::SchedulerMetrics(metrics::Registry* registry) {
  if (registry == nullptr) return;
  // Sizes 1..1024 and padded tokens 64..65536 cover every sane batching config; times from
  // 0.1 ms to about 6.5 s in doublings.
  batch_size_ = &registry->histogram("rerankd_batch_size_pairs", "Pairs per batch.",
                                     metrics::exponential_buckets(1, 2, 11));
  batch_tokens_ = &registry->histogram("rerankd_batch_padded_tokens",
                                       "Padded tokens per batch (pairs x longest pair).",
                                       metrics::exponential_buckets(64, 2, 11));
  queue_time_ = &registry->histogram(
      "rerankd_queue_time_seconds",
      "Per pair: time from enqueue to the start of its batch on a backend worker.",
      metrics::exponential_buckets(0.0001, 2, 17));
  inference_time_ = &registry->histogram("rerankd_inference_time_seconds",
                                         "Per batch: time the backend took to run it.",
                                         metrics::exponential_buckets(0.0001, 2, 17));
  queue_pairs_ = &registry->gauge("rerankd_queue_pairs", "Pairs admitted and waiting for a batch.");
  inflight_batches_ =
      &registry->gauge("rerankd_inflight_batches", "Batches running on a backend now.");
  activation_bytes_ = &registry->gauge(
      "rerankd_backend_activation_bytes",
      "Activation memory the backends reserve: the cpu backend sizes its workspaces at load for "
      "its largest pass, touched only as batches use them.");
  dropped_deadline_ =
      &registry->counter(kDroppedName, kDroppedHelp, metrics::labels({{"reason", "deadline"}}));
  dropped_cancelled_ =
      &registry->counter(kDroppedName, kDroppedHelp, metrics::labels({{"reason", "cancelled"}}));
  dropped_error_ =
      &registry->counter(kDroppedName, kDroppedHelp, metrics::labels({{"reason", "error"}}));
}

void SchedulerMetrics::batch_formed(std::size_t pairs, std::size_t padded_tokens) {
  if (batch_size_ == nullptr) return;
  batch_size_->observe(static_cast<double>(pairs));
  batch_tokens_->observe(static_cast<double>(padded_tokens));
}

void SchedulerMetrics::pair_started(std::chrono::nanoseconds queue_time) {
  if (queue_time_ != nullptr) queue_time_->observe(seconds(queue_time));
}

void SchedulerMetrics::batch_ran(std::chrono::nanoseconds inference_time) {
  if (inference_time_ != nullptr) inference_time_->observe(seconds(inference_time));
}

void SchedulerMetrics::queued(std::ptrdiff_t delta_pairs) {
  if (queue_pairs_ != nullptr) queue_pairs_->add(delta_pairs);
}

void SchedulerMetrics::inflight(int delta_batches) {
  if (inflight_batches_ != nullptr) inflight_batches_->add(delta_batches);
}

void SchedulerMetrics::activation_memory(std::ptrdiff_t delta_bytes) {
  if (activation_bytes_ != nullptr) activation_bytes_->add(delta_bytes);
}

void SchedulerMetrics::dropped(DropReason reason, std::size_t pairs) {
  if (dropped_deadline_ == nullptr) return;
  switch (reason) {
    case DropReason::kDeadline:
      dropped_deadline_->add(pairs);
      break;
    case DropReason::kCancelled:
      dropped_cancelled_->add(pairs);
      break;
    case DropReason::kError:
      dropped_error_->add(pairs);
      break;
  }
}

}  // namespace rerankd::sched
