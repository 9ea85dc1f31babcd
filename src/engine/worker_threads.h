// How many threads each of the server's CPU backend instances gets.
#pragma once

#include "config/config.h"

namespace rerankd::engine {

// model.threads when it is set (> 0). Otherwise (0, "all cores") the cores are shared among
// the max_concurrency workers, at least one thread each: each worker runs its own OpenMP team,
// and teams that together outnumber the cores spin against each other, so four workers on
// eight cores get two threads each, not eight. The cuda backend keeps model.threads (its
// workers compute on the GPU).
int threads_per_worker(const config::ModelConfig& model, int max_concurrency,
                       unsigned hardware_threads);

}  // namespace rerankd::engine
