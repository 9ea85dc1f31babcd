#include "bench/target_pool.h"

#include "bench/http_target.h"
#include "bench/in_process_target.h"
#include "bench/model_only_target.h"

namespace rerankd::bench {

void TargetPool::release() {
  target_.reset();  // sessions and targets go before what they point into
  server_.reset();
  if (engine_) engine_->shutdown();
  engine_.reset();
  registry_.reset();
  current_.reset();
}

Result<Target*> TargetPool::acquire(const RunSettings& settings) {
  const std::pair<std::string, config::Config> wanted{settings.target, settings.config};
  if (current_ && *current_ == wanted) return target_.get();
  release();
  if (settings.target == "in_process") {
    registry_ = std::make_unique<metrics::Registry>();
    RERANKD_ASSIGN_OR_RETURN(
        engine_, engine::ServingEngine::create(settings.config, model_dir_, registry_.get()));
    target_ = make_in_process_target(*engine_, registry_.get());
  } else if (settings.target == "model_only") {
    RERANKD_ASSIGN_OR_RETURN(target_, make_model_only_target(settings.config, model_dir_));
  } else if (settings.target == "server") {
    RERANKD_ASSIGN_OR_RETURN(server_, launch_server(settings.config, model_dir_));
    RERANKD_ASSIGN_OR_RETURN(target_, make_http_target(server_->url()));
  } else {
    RERANKD_ASSIGN_OR_RETURN(target_, make_http_target(settings.target));
  }
  current_ = wanted;
  return target_.get();
}

}  // namespace rerankd::bench
