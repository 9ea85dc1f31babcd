// Routes a request to its handler: API key check, 404/405, then the handler; decorates every
// answer (x-request-id, timing headers) and records the HTTP metrics. Handlers never throw.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/service.h"
#include "http/codecs/decode_limits.h"
#include "http/http_metrics.h"
#include "http/http_types.h"
#include "metrics/metrics.h"

namespace rerankd::http {

struct RouterContext {
  engine::ScoringService* service = nullptr;  // not owned; outlives the router
  metrics::Registry* registry = nullptr;      // not owned; may be null
  codecs::DecodeLimits limits;
  int request_timeout_ms = 30000;  // deadline from arrival; <= 0: none
  std::string api_key;             // non-empty: every route but the probes needs it
  std::string metrics = "open";    // server.metrics: open, api_key or off
  bool access_log = false;         // one JSON line per request on stderr
  std::string version;             // rerankd's version, for /info
  // Set by Server::begin_drain: /ready answers 503 and responses close their connections.
  std::shared_ptr<const std::atomic<bool>> draining;
};

// The metrics label of a request path: the route's path, or "other".
std::string_view route_label(std::string_view path);

// Thread-safe (immutable after construction).
class Router {
 public:
  explicit Router(RouterContext context);

  const RouterContext& context() const { return context_; }

  // Answers through `reply` exactly once, maybe later on a service thread. Never throws.
  void handle(HttpRequest request, const Reply& reply) const noexcept;

  // The answer that refuses a request from its request line and headers alone (no route, a
  // method not allowed, a missing or wrong API key), or nothing when its handler would run.
  // The connection asks before it reads a body, so an unauthenticated client cannot make the
  // server hold one.
  std::optional<HttpResponse> refusal(std::string_view method, std::string_view path,
                                      std::string_view authorization) const;

  // Adds x-request-id and the timing headers and records metrics. Runs on the connection's
  // executor; also used for answers the connection makes itself (body too large, bad HTTP).
  // `method` is empty for answers made before a request was parsed.
  void finish(std::string_view path, std::string_view request_id, HttpResponse& response,
              std::string_view method = {}) const;

 private:
  RouterContext context_;
  std::unique_ptr<HttpMetrics> metrics_;
};

}  // namespace rerankd::http
