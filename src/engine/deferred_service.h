// A ScoringService that stands in for the real one while the model is fetched and loaded, so
// that `rerankd serve` listens from the start: /health answers, /ready stays 503 and requests
// get a 503 "model is loading" until set() hands over the loaded service (TEI's behaviour while
// it downloads).
#pragma once

#include <atomic>

#include "engine/service.h"
#include "engine/task_pool.h"

namespace rerankd::engine {

class DeferredService : public ScoringService {
 public:
  // `placeholder` is what info() says before the model is there (the id, backend, dtype).
  explicit DeferredService(ServiceInfo placeholder);

  // From now on every call goes to `service`, which is not owned and must outlive this.
  void set(ScoringService* service) { service_.store(service); }

  void score(ScoreRequest request, std::function<void(ScoreResponse)> done) override;
  void rerank(RerankRequest request, std::function<void(RerankResponse)> done) override;
  ServiceInfo info() const override;
  const text::Tokenizer* tokenizer() const override;
  bool ready() const override;

 private:
  ServiceInfo placeholder_;
  std::atomic<ScoringService*> service_{nullptr};
  TaskPool replies_{1};  // answers while loading: never inline on the caller's thread
};

}  // namespace rerankd::engine
