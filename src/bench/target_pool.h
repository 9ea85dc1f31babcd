// The runner's live targets: an in-process engine or a launched server, kept while
// consecutive grid points share their config (a load.clients sweep starts one engine, not
// one per point), replaced when it changes.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "bench/experiment.h"
#include "bench/server_launcher.h"
#include "bench/target.h"
#include "common/result.h"
#include "engine/serving_engine.h"
#include "metrics/metrics.h"

namespace rerankd::bench {

class TargetPool {
 public:
  explicit TargetPool(std::filesystem::path model_dir) : model_dir_(std::move(model_dir)) {}
  ~TargetPool() { release(); }

  // The target for `settings` (target and config), reusing the current one when they match.
  // kUnimplemented when the backend is not built here.
  Result<Target*> acquire(const RunSettings& settings);
  void release();

 private:
  std::filesystem::path model_dir_;
  std::optional<std::pair<std::string, config::Config>> current_;  // (target, config)
  std::unique_ptr<metrics::Registry> registry_;
  std::unique_ptr<engine::ServingEngine> engine_;
  std::unique_ptr<LaunchedServer> server_;
  std::unique_ptr<Target> target_;
};

}  // namespace rerankd::bench
