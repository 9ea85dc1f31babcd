// The one place that decides which HTTP status and error_type a failure becomes (STYLE.md,
// rule 5), and the JSON error body every error response carries.
#pragma once

#include <optional>
#include <string_view>

#include "common/status.h"
#include "http/http_types.h"

namespace rerankd::http {

// Failures that exist only at the HTTP layer and have no engine StatusCode.
enum class HttpFailure {
  kUnauthorized,
  kRouteNotFound,
  kMethodNotAllowed,
  kRequestTimeout,  // the header or body did not arrive within its timeout: 408
  kHeaderTooLarge,  // over server.max_header_bytes: 431
  kBusy,            // max_connections or max_buffered_body_bytes reached: 503, Retry-After
  kMalformedHttp,   // not HTTP/1.1 (a bad request line, header or chunk): 400
};

struct ErrorMapping {
  unsigned http_status = 500;
  std::string_view error_type;
  bool retry_after = false;  // 429: tell the client when to come back
};

// Status codes not in the table (kOk included) map to 500 "internal".
ErrorMapping map_status(StatusCode code);
ErrorMapping map_failure(HttpFailure failure);

// Whose error vocabulary a route speaks. text-embeddings-inference's routes (/rerank, /,
// /invocations, /predict) answer as TEI 1.9 does: error_type Validation (422) for a batch
// over max_client_batch_size, a pair over max_length or a value of the wrong type, Empty (400)
// for an empty list, Overloaded (429), Unhealthy (503), Backend (424); what TEI has no name
// for keeps rerankd's. Every other route speaks rerankd's (DESIGN.md's table).
enum class ErrorDialect { kRerankd, kTei };

// {"error": message, "error_type": ...} with the mapped status (and Retry-After for 429).
HttpResponse error_response(const Status& status, ErrorDialect dialect = ErrorDialect::kRerankd);
HttpResponse error_response(HttpFailure failure, std::string_view message);

// Seconds a client told "queue full" should wait before retrying.
inline constexpr int kRetryAfterSeconds = 1;

}  // namespace rerankd::http
