// The scheduler's Prometheus metrics, registered once; every method is a no-op without a
// registry, so the scheduler's code paths do not branch on it. Thread-safe (metric updates are
// lock-free).
#pragma once

#include <chrono>
#include <cstddef>

namespace rerankd::metrics {
class Counter;
class Gauge;
class Histogram;
class Registry;
}  // namespace rerankd::metrics

namespace rerankd::sched {

enum class DropReason { kDeadline, kCancelled, kError };

class SchedulerMetrics {
 public:
  explicit SchedulerMetrics(metrics::Registry* registry);

  void batch_formed(std::size_t pairs, std::size_t padded_tokens);
  void pair_started(std::chrono::nanoseconds queue_time);  // per pair of a batch
  void batch_ran(std::chrono::nanoseconds inference_time);
  void queued(std::ptrdiff_t delta_pairs);
  void inflight(int delta_batches);
  void activation_memory(std::ptrdiff_t delta_bytes);
  void dropped(DropReason reason, std::size_t pairs);

 private:
  metrics::Histogram* batch_size_ = nullptr;
  metrics::Histogram* batch_tokens_ = nullptr;
  metrics::Histogram* queue_time_ = nullptr;
  metrics::Histogram* inference_time_ = nullptr;
  metrics::Gauge* queue_pairs_ = nullptr;
  metrics::Gauge* inflight_batches_ = nullptr;
  metrics::Gauge* activation_bytes_ = nullptr;
  metrics::Counter* dropped_deadline_ = nullptr;
  metrics::Counter* dropped_cancelled_ = nullptr;
  metrics::Counter* dropped_error_ = nullptr;
};

}  // namespace rerankd::sched
