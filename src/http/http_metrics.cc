#include "http/http_metrics.h"

#include <chrono>
#include <string>

namespace rerankd::http {
namespace {

double seconds(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

// 0.5 ms .. ~16 s: a cached short request to a long CPU batch under load.
std::vector<double> duration_buckets() { return metrics::exponential_buckets(0.0005, 2.0, 16); }

}  // namespace

HttpMetrics::HttpMetrics(metrics::Registry* registry) : registry_(registry) {
  if (registry_ == nullptr) return;
  tokenize_seconds_ =
      &registry_->histogram("rerankd_request_tokenization_seconds",
                            "Time tokenizing the pairs of a request", duration_buckets());
  queue_seconds_ =
      &registry_->histogram("rerankd_request_queue_seconds",
                            "Longest wait of a request's pairs in the queue", duration_buckets());
  inference_seconds_ = &registry_->histogram("rerankd_request_inference_seconds",
                                             "First batch start to last batch end for a request",
                                             duration_buckets());
  total_seconds_ =
      &registry_->histogram("rerankd_request_duration_seconds",
                            "Arrival to answer of a scored request", duration_buckets());
}

void HttpMetrics::record(std::string_view route, const HttpResponse& response) {
  if (registry_ == nullptr) return;
  const std::string labels =
      "route=\"" + std::string(route) + "\",status=\"" + std::to_string(response.status) + "\"";
  registry_->counter("rerankd_requests_total", "HTTP requests by route and status", labels).add();
  if (!response.error_type.empty()) {
    registry_
        ->counter("rerankd_request_failures_total", "Failed HTTP requests by error type",
                  "error_type=\"" + response.error_type + "\"")
        .add();
  }
  if (response.times && response.error_type.empty()) {
    tokenize_seconds_->observe(seconds(response.times->tokenize));
    queue_seconds_->observe(seconds(response.times->queue));
    inference_seconds_->observe(seconds(response.times->inference));
    total_seconds_->observe(seconds(response.times->total));
  }
}

}  // namespace rerankd::http
