// A ScoringService for HTTP tests: score = length of the document in bytes (raw mode: minus
// that), answers on its own thread, and can be told to fail with a Status or to hold answers
// until release().
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "engine/service.h"

namespace rerankd::http::testing {

class FakeService : public engine::ScoringService {
 public:
  FakeService();
  ~FakeService() override;

  void score(engine::ScoreRequest request,
             std::function<void(engine::ScoreResponse)> done) override;
  void rerank(engine::RerankRequest request,
              std::function<void(engine::RerankResponse)> done) override;
  engine::ServiceInfo info() const override;
  bool ready() const override;

  void set_ready(bool ready);
  // Every following call answers `status` (ok: normal answers again).
  void fail_with(Status status);
  // While holding, answers wait until release() (or the destructor).
  void hold();
  void release();
  // Blocks until `n` calls have arrived in total.
  void wait_for_calls(int n);

  // What the last rerank/score call received (copies; thread-safe).
  std::optional<engine::RerankRequest> last_rerank() const;
  std::optional<engine::ScoreRequest> last_score() const;

 private:
  void post(std::function<void()> task);
  void run();

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::function<void()>> held_;
  bool holding_ = false;
  bool ready_ = true;
  bool stopping_ = false;
  int calls_ = 0;
  Status failure_;
  std::optional<engine::RerankRequest> last_rerank_;
  std::optional<engine::ScoreRequest> last_score_;
  std::thread worker_;
};

}  // namespace rerankd::http::testing
