#include "engine/deferred_service.h"

namespace rerankd::engine {
namespace {

Status loading() {
  return Status(StatusCode::kUnavailable,
                "not ready: the model is still being downloaded or loaded (GET /ready says when)");
}

}  // namespace

DeferredService::DeferredService(ServiceInfo placeholder) : placeholder_(std::move(placeholder)) {}

void DeferredService::score(ScoreRequest request, std::function<void(ScoreResponse)> done) {
  if (ScoringService* service = service_.load()) {
    service->score(std::move(request), std::move(done));
    return;
  }
  replies_.post([done = std::move(done)] {
    ScoreResponse response;
    response.status = loading();
    done(std::move(response));
  });
}

void DeferredService::rerank(RerankRequest request, std::function<void(RerankResponse)> done) {
  if (ScoringService* service = service_.load()) {
    service->rerank(std::move(request), std::move(done));
    return;
  }
  replies_.post([done = std::move(done)] {
    RerankResponse response;
    response.status = loading();
    done(std::move(response));
  });
}

ServiceInfo DeferredService::info() const {
  const ScoringService* service = service_.load();
  return service != nullptr ? service->info() : placeholder_;
}

const text::Tokenizer* DeferredService::tokenizer() const {
  const ScoringService* service = service_.load();
  return service != nullptr ? service->tokenizer() : nullptr;
}

bool DeferredService::ready() const {
  const ScoringService* service = service_.load();
  return service != nullptr && service->ready();
}

}  // namespace rerankd::engine
