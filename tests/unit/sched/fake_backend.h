// A tiny deterministic backend for scheduler tests: logits are a function of a pair's token
// ids alone, every batch's composition is recorded, an optional gate holds batches, and a
// marker token fails the batch that carries it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "backend/backend.h"
#include "text/tokenizer.h"

namespace rerankd::sched::testing {

// A pair built by make_test_pair carries its request and index in its tokens: {101, job, index,
// filler..., 102}.
struct PairKey {
  std::int32_t job = 0;
  std::int32_t index = 0;
  bool operator==(const PairKey&) const = default;
};

constexpr std::int32_t kFailToken = 666;  // a pair holding it fails its whole batch
constexpr std::int32_t kNanToken = 667;   // a pair holding it gets NaN logits, the rest do not

text::Encoding make_test_pair(std::int32_t job, std::int32_t index, int length, bool fail = false);
// A pair whose logits the fake makes NaN, as weights gone bad or an overflow would.
text::Encoding make_nan_pair(std::int32_t job, std::int32_t index, int length);
// The logit row the fake computes for these tokens: label l is f(ids) + l.
float expected_logit(std::span<const std::int32_t> ids, std::size_t label);

// Shared by every FakeBackend of a test. Thread-safe.
class FakeRecorder {
 public:
  // While closed, run() blocks after recording that it started.
  void close_gate();
  void open_gate();
  // Waits (up to a generous safety timeout) until `n` batches have started; false on timeout.
  bool await_started(std::size_t n);

  std::vector<std::vector<PairKey>> batches() const;
  std::size_t started() const;

  // Called by FakeBackend::run.
  void on_run(std::vector<PairKey> keys);

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool gate_open_ = true;
  std::vector<std::vector<PairKey>> batches_;
};

class FakeBackend final : public backend::Backend {
 public:
  FakeBackend(std::shared_ptr<FakeRecorder> recorder, std::size_t num_labels)
      : recorder_(std::move(recorder)), num_labels_(num_labels) {}

  Result<std::vector<float>> run(const backend::PackedBatch& batch) override;
  backend::BackendInfo info() const override { return {"fake", "fp32", "cpu", 1}; }

 private:
  std::shared_ptr<FakeRecorder> recorder_;
  std::size_t num_labels_;
};

constexpr auto kSafetyTimeout = std::chrono::seconds(60);

}  // namespace rerankd::sched::testing
