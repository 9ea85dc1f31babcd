#include "fake_backend.h"

#include <algorithm>
#include <limits>
#include <string>

namespace rerankd::sched::testing {

text::Encoding make_test_pair(std::int32_t job, std::int32_t index, int length, bool fail) {
  text::Encoding e;
  e.input_ids = {101, job, index};
  while (static_cast<int>(e.input_ids.size()) < length - 1) {
    e.input_ids.push_back(fail ? kFailToken : 1000 + static_cast<std::int32_t>(e.size()));
  }
  e.input_ids.push_back(102);
  e.token_type_ids.assign(e.input_ids.size(), 0);
  return e;
}

float expected_logit(std::span<const std::int32_t> ids, std::size_t label) {
  std::int64_t h = 17;
  for (const auto id : ids) h = (h * 31 + id) % 100003;
  return static_cast<float>(h) / 1000.0f + static_cast<float>(label);
}

void FakeRecorder::close_gate() {
  std::lock_guard lock(mutex_);
  gate_open_ = false;
}

void FakeRecorder::open_gate() {
  {
    std::lock_guard lock(mutex_);
    gate_open_ = true;
  }
  cv_.notify_all();
}

bool FakeRecorder::await_started(std::size_t n) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, kSafetyTimeout, [&] { return batches_.size() >= n; });
}

std::vector<std::vector<PairKey>> FakeRecorder::batches() const {
  std::lock_guard lock(mutex_);
  return batches_;
}

std::size_t FakeRecorder::started() const {
  std::lock_guard lock(mutex_);
  return batches_.size();
}

void FakeRecorder::on_run(std::vector<PairKey> keys) {
  std::unique_lock lock(mutex_);
  batches_.push_back(std::move(keys));
  cv_.notify_all();
  cv_.wait_for(lock, kSafetyTimeout, [&] { return gate_open_; });
}

text::Encoding make_nan_pair(std::int32_t job, std::int32_t index, int length) {
  text::Encoding e = make_test_pair(job, index, length);
  e.input_ids[3] = kNanToken;
  return e;
}

Result<std::vector<float>> FakeBackend::run(const backend::PackedBatch& batch) {
  std::vector<PairKey> keys;
  bool fail = false;
  std::vector<float> logits;
  for (std::size_t p = 0; p < batch.num_pairs(); ++p) {
    const std::span<const std::int32_t> ids(batch.input_ids.data() + batch.cu_seqlens[p],
                                            static_cast<std::size_t>(batch.length(p)));
    keys.push_back({ids[1], ids[2]});
    fail = fail || std::find(ids.begin(), ids.end(), kFailToken) != ids.end();
    const bool nan = std::find(ids.begin(), ids.end(), kNanToken) != ids.end();
    for (std::size_t l = 0; l < num_labels_; ++l) {
      logits.push_back(nan ? std::numeric_limits<float>::quiet_NaN() : expected_logit(ids, l));
    }
  }
  recorder_->on_run(std::move(keys));
  if (fail) return internal_error("fake backend: marker token " + std::to_string(kFailToken));
  return logits;
}

}  // namespace rerankd::sched::testing
