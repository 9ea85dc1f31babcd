#include "sched/batch_policy.h"

#include <algorithm>
#include <cstdlib>

namespace rerankd::sched {
namespace {

// The sort window: this many batches' worth of pairs at the head of the queue. Wide enough to
// find pairs of similar length, narrow enough that a pair's wait stays bounded (it becomes the
// oldest after at most a window's worth of pairs leave ahead of it) and a decision is cheap.
constexpr std::size_t kSortWindowBatches = 4;

// Grows a batch under the size and token limits; padded cost is pairs x longest pair.
class BatchBuilder {
 public:
  explicit BatchBuilder(const config::BatchingConfig& batching)
      : max_pairs_(static_cast<std::size_t>(batching.max_batch_size)),
        max_tokens_(batching.max_batch_tokens) {}

  // Adds the pair when it fits; the first pair always fits, so an oversized pair runs alone.
  bool try_add(std::size_t position, std::int32_t tokens) {
    if (taken_.size() >= max_pairs_) return false;
    const std::int64_t longest = std::max<std::int64_t>(longest_, tokens);
    const auto padded = static_cast<std::int64_t>(taken_.size() + 1) * longest;
    if (!taken_.empty() && padded > max_tokens_) {
      token_limited_ = true;
      return false;
    }
    taken_.push_back(position);
    longest_ = longest;
    return true;
  }

  bool size_full() const { return taken_.size() >= max_pairs_; }
  bool token_full() const { return token_limited_; }
  std::vector<std::size_t> take() && {
    std::sort(taken_.begin(), taken_.end());
    return std::move(taken_);
  }

 private:
  std::size_t max_pairs_;
  std::int64_t max_tokens_;
  std::int64_t longest_ = 0;
  bool token_limited_ = false;
  std::vector<std::size_t> taken_;
};

void fill_in_order(std::span<const PairView> queue, BatchBuilder& builder) {
  for (std::size_t i = 0; i < queue.size(); ++i) {
    if (!builder.try_add(i, queue[i].tokens)) break;
  }
}

// The oldest pair, then the window's pairs nearest its length.
void fill_by_length(std::span<const PairView> queue, BatchBuilder& builder) {
  builder.try_add(0, queue[0].tokens);
  const std::int32_t anchor = queue[0].tokens;
  std::vector<std::size_t> order(queue.size() - 1);
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i + 1;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::abs(queue[a].tokens - anchor) < std::abs(queue[b].tokens - anchor);
  });
  // A pair that does not fit may be followed by a shorter one that does, so keep looking.
  for (const std::size_t i : order) {
    if (builder.size_full()) break;
    builder.try_add(i, queue[i].tokens);
  }
}

BatchDecision decide_one_request(std::span<const PairView> queue,
                                 const config::BatchingConfig& batching) {
  BatchBuilder builder(batching);
  for (std::size_t i = 0; i < queue.size() && queue[i].job_id == queue[0].job_id; ++i) {
    if (!builder.try_add(i, queue[i].tokens)) break;
  }
  return {std::move(builder).take(), {}, CloseReason::kRequest};
}

}  // namespace

std::size_t policy_window(const config::BatchingConfig& batching) {
  const auto batch = static_cast<std::size_t>(std::max(batching.max_batch_size, 1));
  return batching.enabled && batching.sort_by_length ? batch * kSortWindowBatches : batch;
}

std::size_t oldest_requests_prefix(std::span<const PairView> queue, std::size_t min_pairs) {
  for (std::size_t i = std::max<std::size_t>(min_pairs, 1); i < queue.size(); ++i) {
    if (queue[i].job_id != queue[i - 1].job_id) return i;
  }
  return queue.size();
}

BatchDecision decide_batch(std::span<const PairView> queue,
                           std::chrono::steady_clock::time_point now,
                           const config::BatchingConfig& batching, bool flush, bool worker_idle,
                           bool deep_queue) {
  if (queue.empty()) return {};
  queue = queue.first(std::min(queue.size(), policy_window(batching)));
  if (!batching.enabled) return decide_one_request(queue, batching);
  if (deep_queue && batching.deadline_aware && batching.sort_by_length) {
    queue = queue.first(
        oldest_requests_prefix(queue, static_cast<std::size_t>(batching.max_batch_size)));
  }

  BatchBuilder builder(batching);
  if (batching.sort_by_length) {
    fill_by_length(queue, builder);
  } else {
    fill_in_order(queue, builder);
  }
  const auto deadline = queue[0].enqueued + std::chrono::milliseconds(batching.timeout_ms);
  CloseReason reason = CloseReason::kNone;
  if (builder.size_full()) {
    reason = CloseReason::kSize;
  } else if (builder.token_full()) {
    reason = CloseReason::kTokens;
  } else if (now >= deadline) {
    reason = CloseReason::kTimeout;
  } else if (flush) {
    reason = CloseReason::kFlush;
  } else if (worker_idle && batching.close_when_idle) {
    reason = CloseReason::kIdle;
  }
  if (reason == CloseReason::kNone) return {{}, deadline, CloseReason::kNone};
  return {std::move(builder).take(), {}, reason};
}

}  // namespace rerankd::sched
