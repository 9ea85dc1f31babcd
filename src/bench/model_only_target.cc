#include "bench/model_only_target.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <unordered_map>

#include "backend/backend.h"
#include "engine/serving_engine.h"
#include "engine/worker_threads.h"
#include "model/bert_model.h"
#include "text/tokenizer.h"

namespace rerankd::bench {
namespace {

using Batches = std::unordered_map<const BenchRequest*, backend::PackedBatch>;

class ModelOnlySession final : public Session {
 public:
  ModelOnlySession(std::unique_ptr<backend::Backend> backend, const Batches& batches,
                   std::atomic<std::size_t>& pairs, std::atomic<std::size_t>& calls)
      : backend_(std::move(backend)), batches_(batches), pairs_(pairs), calls_(calls) {}

  CallOutcome call(const BenchRequest& request) override {
    const auto found = batches_.find(&request);
    if (found == batches_.end()) {
      return {.ok = false,
              .error_type = "bad_request",
              .error = "request was not prepared",
              .pairs = 0};
    }
    const auto logits = backend_->run(found->second);
    if (!logits.ok()) {
      return {
          .ok = false, .error_type = "backend", .error = logits.status().to_string(), .pairs = 0};
    }
    const std::size_t pairs = found->second.num_pairs();
    if (logits->size() % std::max<std::size_t>(pairs, 1) != 0 || logits->size() < pairs) {
      return {
          .ok = false, .error_type = "bad_response", .error = "wrong number of logits", .pairs = 0};
    }
    pairs_ += pairs;
    ++calls_;
    CallOutcome outcome;
    outcome.ok = true;
    outcome.pairs = pairs;
    return outcome;
  }

 private:
  std::unique_ptr<backend::Backend> backend_;
  const Batches& batches_;
  std::atomic<std::size_t>& pairs_;
  std::atomic<std::size_t>& calls_;
};

class ModelOnlyTarget final : public Target {
 public:
  ModelOnlyTarget(const config::Config& config, std::shared_ptr<const model::BertModel> model,
                  text::Tokenizer tokenizer)
      : config_(config), model_(std::move(model)), tokenizer_(std::move(tokenizer)) {}

  Status prepare(const std::vector<BenchRequest>& workload) override {
    batches_.clear();
    const text::TokenizeOptions options{.max_length = config_.model.max_length,
                                        .truncation = text::Truncation::kLongestFirst};
    text::Encoding encoding;
    for (const auto& request : workload) {
      backend::PackedBatch& batch = batches_[&request];
      for (const auto& document : request.documents) {
        RERANKD_RETURN_IF_ERROR(tokenizer_.encode_pair(request.query, document, options, encoding));
        batch.add(encoding.input_ids, encoding.token_type_ids);
      }
    }
    return Status();
  }

  Result<std::unique_ptr<Session>> open_session() override {
    backend::BackendOptions options;
    options.name = config_.model.backend;
    options.dtype = config_.model.dtype;
    // Each session is a backend of its own, like a serving worker: `threads: 0` shares the
    // cores among them instead of giving every session all of them.
    options.threads =
        engine::threads_per_worker(config_.model, sessions_, std::thread::hardware_concurrency());
    options.device = config_.model.device.empty() ? 0 : config_.model.device.front();
    RERANKD_ASSIGN_OR_RETURN(auto backend, backend::create_backend(options, model_));
    return std::unique_ptr<Session>(
        new ModelOnlySession(std::move(backend), batches_, pairs_, calls_));
  }

  void expect_sessions(int sessions) override { sessions_ = sessions; }

  std::string describe() const override { return "model_only"; }

  double mean_batch_size() override {
    const std::size_t calls = calls_.load();
    return calls == 0 ? 0.0 : static_cast<double>(pairs_.load()) / static_cast<double>(calls);
  }

  void reset_batch_stats() override {
    pairs_ = 0;
    calls_ = 0;
  }

 private:
  config::Config config_;
  std::shared_ptr<const model::BertModel> model_;
  text::Tokenizer tokenizer_;
  Batches batches_;   // written by prepare only, before sessions open; read-only afterwards
  int sessions_ = 1;  // what the running load opens (expect_sessions)
  std::atomic<std::size_t> pairs_{0};
  std::atomic<std::size_t> calls_{0};
};

}  // namespace

Result<std::unique_ptr<Target>> make_model_only_target(const config::Config& config,
                                                       const std::filesystem::path& model_dir) {
  RERANKD_ASSIGN_OR_RETURN(auto model, model::BertModel::load(model_dir));
  RERANKD_ASSIGN_OR_RETURN(auto tokenizer, text::Tokenizer::from_directory(model_dir));
  // model.max_length 0 is the model's own limit, as the server reads it.
  RERANKD_ASSIGN_OR_RETURN(auto resolved,
                           engine::with_resolved_max_length(config, model->config()));
  return std::unique_ptr<Target>(
      new ModelOnlyTarget(resolved, std::move(model), std::move(tokenizer)));
}

}  // namespace rerankd::bench
