#include "engine/worker_threads.h"

#include <algorithm>

namespace rerankd::engine {

int threads_per_worker(const config::ModelConfig& model, int max_concurrency,
                       unsigned hardware_threads) {
  if (model.threads > 0 || model.backend == "cuda") return model.threads;
  const int cores = static_cast<int>(std::max(1u, hardware_threads));
  return std::max(1, cores / std::max(1, max_concurrency));
}

}  // namespace rerankd::engine
