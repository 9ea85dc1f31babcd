// The dynamic batcher: one queue of pairs from all requests, one batcher thread that owns it
// and forms batches (max pairs, max padded tokens, timeout after the first pair, grouped by
// length), and max_concurrency worker threads that each own one backend.
// Ideas from text-embeddings-inference's queue and Triton's dynamic batcher; our own code.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "backend/backend.h"
#include "common/result.h"
#include "config/config.h"
#include "text/tokenizer.h"

namespace rerankd::metrics {
class Registry;
}

namespace rerankd::sched {

using Clock = std::chrono::steady_clock;

// What a request gets back, exactly once.
struct RequestOutcome {
  Status status;              // ok; DeadlineExceeded; Cancelled-as-Unavailable; a backend's error
  std::vector<float> logits;  // num_pairs x num_labels, request order; empty unless ok
  // Longest wait of its pairs from enqueue (submit) to the start of their batch on a worker
  // (a prefetched batch's wait for a free worker counts as queueing).
  std::chrono::nanoseconds queue_time{0};
  std::chrono::nanoseconds inference_time{0};  // first batch start to last batch end
  std::size_t batches = 0;                     // batches its pairs ran in (so far, on failure)
};

// A tokenized request. The submitter fills the public fields; the scheduler owns the rest.
struct ScoringJob {
  std::vector<text::Encoding> pairs;
  Clock::time_point deadline = Clock::time_point::max();
  // Checked before a pair is batched: true drops the job's queued pairs (client went away).
  std::function<bool()> is_cancelled;
  // Called exactly once, from a scheduler thread, when every pair is scored or the job failed.
  // Must not block.
  std::function<void(RequestOutcome)> on_done;
};

struct SchedulerOptions {
  config::BatchingConfig batching;
  int max_queue_pairs = 65536;  // pairs admitted but not yet batched; past it, ResourceExhausted
  std::size_t num_labels = 1;   // logits per pair the backends return
  // Longest pair submit() admits (0: no check). A pair the backend would reject must not reach
  // a batch, where its error would fail the other requests sharing it.
  int max_pair_tokens = 0;
};

class Scheduler {
 public:
  // Starts the batcher thread and one worker thread per backend (max_concurrency of them).
  // `registry` may be null; otherwise these are registered in it (and must outlive the
  // scheduler): rerankd_batch_size_pairs and rerankd_batch_padded_tokens (padded) histograms, one
  // observation per batch; rerankd_queue_pairs gauge (admitted, not yet batched);
  // rerankd_inflight_batches gauge (running on a backend); rerankd_queue_time_seconds, one
  // observation per pair (enqueue to batch start); rerankd_inference_time_seconds, one per
  // batch (backend run); rerankd_pairs_dropped_total{reason="deadline|cancelled|error"}, queued
  // pairs that never ran ("error": their request already failed in another batch).
  // InvalidArgument when there is no backend or a batching value is out of range.
  static Result<std::unique_ptr<Scheduler>> create(
      const SchedulerOptions& options, std::vector<std::unique_ptr<backend::Backend>> backends,
      metrics::Registry* registry);

  virtual ~Scheduler() = default;

  // Thread-safe. Admits all of the job's pairs or none: ResourceExhausted when the queue has
  // no room for them (the caller answers 429), Unavailable once shutdown began,
  // InvalidArgument for a null job, a missing on_done or a malformed pair (empty, or ids and
  // type ids of different lengths), OutOfRange for a pair over max_pair_tokens. When it
  // returns ok, on_done will be called exactly once (a job without pairs too), never inline.
  virtual Status submit(std::shared_ptr<ScoringJob> job) = 0;

  // Stops admitting, finishes every admitted job (the queue drains without waiting for
  // timeout_ms), joins the threads. Idempotent; thread-safe; must not be called from on_done
  // (it runs on the thread being joined).
  virtual void shutdown() = 0;

  // Pairs admitted but not yet in a batch. Thread-safe.
  virtual std::size_t queued_pairs() const = 0;
};

}  // namespace rerankd::sched
