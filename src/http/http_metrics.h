// The metrics the HTTP layer owns: requests by route and status, failures by error_type, and
// per-stage duration histograms observed from each answer's StageTimes.
#pragma once

#include <string_view>

#include "engine/service.h"
#include "http/http_types.h"
#include "metrics/metrics.h"

namespace rerankd::http {

// Thread-safe. A null registry records nothing.
class HttpMetrics {
 public:
  explicit HttpMetrics(metrics::Registry* registry);

  // `route` is a known route path or "other" (bounded label values).
  void record(std::string_view route, const HttpResponse& response);

 private:
  metrics::Registry* registry_;
  metrics::Histogram* tokenize_seconds_ = nullptr;
  metrics::Histogram* queue_seconds_ = nullptr;
  metrics::Histogram* inference_seconds_ = nullptr;
  metrics::Histogram* total_seconds_ = nullptr;
};

}  // namespace rerankd::http
