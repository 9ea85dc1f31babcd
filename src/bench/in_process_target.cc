#include "bench/in_process_target.h"

#include <future>
#include <mutex>

#include "bench/ranking_check.h"
#include "http/error_map.h"

namespace rerankd::bench {
namespace {

constexpr const char* kBatchSizeMetric = "rerankd_batch_size_pairs";

CallOutcome outcome_of(const engine::RerankResponse& response, std::size_t documents) {
  CallOutcome outcome;
  if (!response.status.ok()) {
    // The server's error_type, so in-process and HTTP runs count errors alike.
    outcome.error_type = std::string(http::map_status(response.status.code()).error_type);
    outcome.error = response.status.message();
    return outcome;
  }
  std::vector<std::size_t> indices;
  for (const auto& ranked : response.ranked) indices.push_back(ranked.index);
  outcome.error = ranking_problem(indices, documents);
  if (!outcome.error.empty()) {
    outcome.error_type = "bad_response";
    return outcome;
  }
  outcome.ok = true;
  outcome.pairs = documents;
  return outcome;
}

class InProcessSession final : public Session {
 public:
  explicit InProcessSession(engine::ScoringService& service) : service_(service) {}

  CallOutcome call(const BenchRequest& request) override {
    engine::RerankRequest rerank;
    rerank.query = request.query;
    rerank.documents = request.documents;
    rerank.mode = engine::ScoreMode::kRaw;
    // std::function needs a copyable callable, hence the shared promise.
    auto promise = std::make_shared<std::promise<engine::RerankResponse>>();
    auto answer = promise->get_future();
    service_.rerank(std::move(rerank), [promise](engine::RerankResponse response) {
      promise->set_value(std::move(response));
    });
    return outcome_of(answer.get(), request.documents.size());
  }

 private:
  engine::ScoringService& service_;
};

class InProcessTarget final : public Target {
 public:
  InProcessTarget(engine::ScoringService& service, const metrics::Registry* registry)
      : service_(service), registry_(registry) {}

  Result<std::unique_ptr<Session>> open_session() override {
    return std::unique_ptr<Session>(std::make_unique<InProcessSession>(service_));
  }
  std::string describe() const override { return "in_process"; }

  double mean_batch_size() override {
    const auto [sum, count] = totals();
    std::lock_guard lock(mutex_);
    const double batches = static_cast<double>(count - count_at_reset_);
    return batches > 0 ? (sum - sum_at_reset_) / batches : 0;
  }
  double pairs_computed() override {
    const double sum = totals().first;
    std::lock_guard lock(mutex_);
    return sum - sum_at_reset_;
  }
  void reset_batch_stats() override {
    const auto [sum, count] = totals();
    std::lock_guard lock(mutex_);
    sum_at_reset_ = sum;
    count_at_reset_ = count;
  }

 private:
  // (sum, count) of rerankd_batch_size_pairs so far; zeros without a registry.
  std::pair<double, std::uint64_t> totals() const {
    const metrics::Histogram* histogram =
        registry_ != nullptr ? registry_->find_histogram(kBatchSizeMetric) : nullptr;
    if (histogram == nullptr) return {0, 0};
    return {histogram->sum(), histogram->count()};
  }

  engine::ScoringService& service_;
  const metrics::Registry* registry_;
  std::mutex mutex_;
  double sum_at_reset_ = 0;
  std::uint64_t count_at_reset_ = 0;
};

}  // namespace

std::unique_ptr<Target> make_in_process_target(engine::ScoringService& service,
                                               const metrics::Registry* registry) {
  return std::make_unique<InProcessTarget>(service, registry);
}

}  // namespace rerankd::bench
