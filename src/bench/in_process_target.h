// A Target over an engine::ScoringService in this process: what "in-process engine throughput"
// means in the reports. Each call is a RerankRequest (raw scores, all documents) answered
// through the same scheduler the server uses, without HTTP or JSON.
#pragma once

#include <memory>

#include "bench/target.h"
#include "engine/service.h"
#include "metrics/metrics.h"

namespace rerankd::bench {

// `service` and `registry` (the one the service was created with, for rerankd_batch_size_pairs;
// may be null) must outlive the target.
std::unique_ptr<Target> make_in_process_target(engine::ScoringService& service,
                                               const metrics::Registry* registry);

}  // namespace rerankd::bench
