// The real ScoringService: tokenizes on a task pool, scores through the dynamic-batching
// scheduler, applies the activation, sorts and cuts to top_n.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "engine/service.h"
#include "engine/task_pool.h"
#include "model/bert_model.h"
#include "sched/scheduler.h"
#include "text/tokenizer.h"

namespace rerankd::metrics {
class Registry;
}

namespace rerankd::engine {

// `config` with model.max_length resolved against the model (0 = the model's own limit; more
// than it allows is an error), so the server and the harness's model_only target truncate
// alike.
Result<config::Config> with_resolved_max_length(const config::Config& config,
                                                const model::BertConfig& model);

class ServingEngine final : public ScoringService {
 public:
  // Loads the model at `model_dir`, builds server.max_concurrency backends, starts the
  // scheduler and the tokenizer pool, and runs one warm-up batch before reporting ready.
  static Result<std::unique_ptr<ServingEngine>> create(const config::Config& config,
                                                       const std::filesystem::path& model_dir,
                                                       metrics::Registry* registry);
  ~ServingEngine() override;

  void score(ScoreRequest request, std::function<void(ScoreResponse)> done) override;
  void rerank(RerankRequest request, std::function<void(RerankResponse)> done) override;
  ServiceInfo info() const override;
  const text::Tokenizer* tokenizer() const override { return &tokenizer_; }
  bool ready() const override { return ready_.load(); }

  // Stops admitting (new calls answer Unavailable), finishes what was admitted. Idempotent.
  void shutdown();

 private:
  ServingEngine(const config::Config& config, std::shared_ptr<const model::BertModel> model,
                text::Tokenizer tokenizer);

  struct Scored {
    Status status;
    std::vector<float> scores;
    std::size_t total_tokens = 0;
    StageTimes times;
  };
  // What run_pairs scores: pairs with their own queries (score), or documents that share one
  // query (rerank: `shared_query` set, each pair's query empty), tokenized once per chunk.
  struct PairWork {
    std::vector<OwnedPair> pairs;
    std::optional<std::string> shared_query;
    ScoreMode mode = ScoreMode::kActivated;
    TruncationChoice truncation;
    Clock::time_point deadline = Clock::time_point::max();
    std::shared_ptr<CancelFlag> cancel;
  };
  // Tokenizes the pairs on the pool and submits them as one job; `finish` gets the scores or
  // the error.
  void run_pairs(PairWork work, std::function<void(Scored)> finish);
  struct PendingRequest;
  void tokenize_chunk(const std::shared_ptr<PendingRequest>& pending, std::size_t begin,
                      std::size_t end);
  void submit_tokenized(const std::shared_ptr<PendingRequest>& pending);
  Status warm_up();

  config::Config config_;
  std::shared_ptr<const model::BertModel> model_;
  text::Tokenizer tokenizer_;
  std::unique_ptr<sched::Scheduler> scheduler_;
  std::unique_ptr<TaskPool> tokenizer_pool_;
  std::string backend_device_;
  int threads_per_worker_ = 0;  // what the first backend reports (BackendInfo::threads)
  std::atomic<bool> ready_{false};
  // Calls take it shared while they post work; shutdown takes it exclusively to stop
  // admission, so no call posts to the pool while it is being torn down.
  std::shared_mutex admission_mutex_;
  bool accepting_ = true;  // guarded by admission_mutex_
};

}  // namespace rerankd::engine
