// The batching decision as a pure function (STYLE.md, rule 3): given the head of the queue,
// the time and the batching config, either take some pairs now or wait until a time. No
// threads, no clock reads: the batcher thread calls it, tests call it with a fake clock.
// The contract follows Triton's GetDynamicBatch (run now, or how long to wait); the length
// grouping is ours.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "config/config.h"

namespace rerankd::sched {

// One queued pair as the policy sees it. The view is in arrival order: index 0 is the oldest.
struct PairView {
  std::chrono::steady_clock::time_point enqueued;
  std::int32_t tokens = 0;   // the pair's length, [CLS] and [SEP]s included
  std::uint64_t job_id = 0;  // pairs of one request share it (used when batching is off)
};

enum class CloseReason {
  kNone,     // nothing taken: wait
  kSize,     // max_batch_size pairs
  kTokens,   // one more pair would pass max_batch_tokens padded tokens
  kTimeout,  // the oldest pair has waited timeout_ms
  kFlush,    // the caller asked to drain (shutdown)
  kIdle,     // a worker is idle (close_when_idle): no reason to wait for company
  kRequest,  // batching off: one request's pairs, at once
};

struct BatchDecision {
  // Positions in the view, ascending, to run as one batch now; empty: wait.
  std::vector<std::size_t> take;
  // When `take` is empty: decide again at this time even if nothing arrives (max: only an
  // arrival can change the answer).
  std::chrono::steady_clock::time_point wake_at = std::chrono::steady_clock::time_point::max();
  CloseReason reason = CloseReason::kNone;
};

// How many pairs at the head of the queue decide_batch needs to see; the caller may pass a
// view of just that many (it decides the same as with the whole queue).
std::size_t policy_window(const config::BatchingConfig& batching);

// Batching on: a batch closes at max_batch_size pairs, at max_batch_tokens padded tokens
// (pairs x longest pair), or timeout_ms after its oldest pair was enqueued, whichever first;
// `flush` closes it at once. The oldest pair (view[0]) is always in the batch, so no pair
// starves: every decision that takes pairs takes the oldest, and a pair longer than
// max_batch_tokens runs alone. With sort_by_length the other pairs are those nearest the
// oldest pair's length among the window (ties: older first), else the head of the queue in
// order up to the first that does not fit. With close_when_idle, `worker_idle` closes a batch
// that is not full at once as well.
// With deadline_aware and `deep_queue` (more pairs wait than the sort window holds), the sort
// considers only the oldest requests' pairs: those up to the first request boundary at or
// after max_batch_size pairs. Length sorting over the whole window spreads every request over
// many batches, so under a deep queue with deadlines most requests time out half-scored; kept
// together, they finish one after another (issue 19 measured 10% of the work answered).
// Batching off: the oldest pair's request alone, in order, cut at the same size and token
// limits, taken at once (a request's pairs all arrive together, so waiting gains nothing).
// `config` must be valid (positive sizes, timeout_ms >= 0).
BatchDecision decide_batch(std::span<const PairView> queue,
                           std::chrono::steady_clock::time_point now,
                           const config::BatchingConfig& batching, bool flush = false,
                           bool worker_idle = false, bool deep_queue = false);

// The pairs at the head of `queue` that belong to its oldest requests: up to the first change
// of job_id at or after `min_pairs` pairs (the whole queue when there is none).
std::size_t oldest_requests_prefix(std::span<const PairView> queue, std::size_t min_pairs);

}  // namespace rerankd::sched
