// The asynchronous, thread-safe face of the engine that the HTTP server (and the benchmark
// harness) drive: text in, scores or a ranking out, through the scheduler's dynamic batches.
// HTTP knows only this interface; tests of the HTTP layer substitute a fake.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/ranking.h"
#include "engine/score_activation.h"
#include "text/tokenizer.h"

namespace rerankd::engine {

using Clock = std::chrono::steady_clock;

// Set by the HTTP layer when the client disconnects; queued pairs of the request are dropped.
class CancelFlag {
 public:
  void cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

struct OwnedPair {
  std::string query;
  std::string document;
};

struct StageTimes {
  std::chrono::nanoseconds tokenize{0};   // tokenizing all pairs of the request
  std::chrono::nanoseconds queue{0};      // longest wait of any pair between enqueue and batch
  std::chrono::nanoseconds inference{0};  // first batch start to last batch end
  std::chrono::nanoseconds total{0};      // arrival to answer
};

// How a request's pairs are cut to the model's max_length.
struct TruncationChoice {
  bool enabled = true;  // false: a pair over max_length fails the request (OutOfRange)
  text::TruncationSide side = text::TruncationSide::kRight;
  int max_document_tokens = 0;  // > 0: each document cut to this many tokens first
};

struct ScoreRequest {
  std::vector<OwnedPair> pairs;
  ScoreMode mode = ScoreMode::kActivated;
  TruncationChoice truncation;
  Clock::time_point deadline = Clock::time_point::max();
  std::shared_ptr<CancelFlag> cancel;  // may be null
};

struct ScoreResponse {
  Status status;              // not ok: nothing else is meaningful
  std::vector<float> scores;  // one per pair, input order
  std::size_t total_tokens = 0;
  StageTimes times;
};

struct RerankRequest {
  std::string query;
  std::vector<std::string> documents;
  ScoreMode mode = ScoreMode::kActivated;
  TruncationChoice truncation;
  std::size_t top_n = 0;  // 0 = all
  Clock::time_point deadline = Clock::time_point::max();
  std::shared_ptr<CancelFlag> cancel;
};

struct RerankResponse {
  Status status;
  std::vector<RankedIndex> ranked;  // best first, stable for ties, cut to top_n
  std::size_t total_tokens = 0;
  StageTimes times;
};

struct ServiceInfo {
  std::string model_id;  // what --model said
  std::string model_dir;
  std::string backend;
  std::string dtype;
  std::string device;
  int max_length = 0;
  int max_client_batch_size = 0;
  int max_concurrency = 0;
  int threads_per_worker = 0;  // CPU threads of each backend instance (0: not a CPU backend)
  int max_batch_size = 0;
  int max_batch_tokens = 0;
  int max_queue_pairs = 0;
  bool auto_truncate = true;
  int tokenizer_threads = 0;
  bool random_weights = false;
  std::vector<std::string> labels;  // the model's label names (id2label), one per logit
  std::string architecture;         // config.json's, e.g. "XLMRobertaForSequenceClassification"
  std::string tokenizer;            // Tokenizer::describe()
};

// Thread-safe. Each call answers exactly once through `done`, on a service thread (never
// inline on the caller's thread); `done` must not block.
class ScoringService {
 public:
  virtual ~ScoringService() = default;

  virtual void score(ScoreRequest request, std::function<void(ScoreResponse)> done) = 0;
  virtual void rerank(RerankRequest request, std::function<void(RerankResponse)> done) = 0;

  virtual ServiceInfo info() const = 0;
  // The tokenizer the service encodes with, for /tokenize and /decode; null when it has none.
  virtual const text::Tokenizer* tokenizer() const { return nullptr; }
  // True once the model is loaded and warmed up; false again while shutting down.
  virtual bool ready() const = 0;
};

}  // namespace rerankd::engine
