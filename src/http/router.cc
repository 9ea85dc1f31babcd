#include "http/router.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <optional>
#include <string>

#include "common/json_writer.h"
#include "http/error_map.h"
#include "http/routes.h"

namespace rerankd::http {
namespace {

using Handler = void (*)(const RouterContext&, HttpRequest, const Reply&);

struct Route {
  std::string_view method;
  std::string_view path;
  Handler handler;
  bool needs_api_key;
};

// Probes (/health, /ready, /ping, GET /) answer without the API key, as TEI's do, so a load
// balancer or kubelet needs no secret; so do the docs; /metrics follows server.metrics.
constexpr std::array kRoutes = {
    Route{"POST", "/rerank", &handle_tei_rerank, true},
    // TEI serves a reranker's rerank on its compat route and SageMaker's.
    Route{"POST", "/", &handle_tei_rerank, true},
    Route{"POST", "/invocations", &handle_tei_rerank, true},
    Route{"POST", "/predict", &handle_predict, true},
    Route{"POST", "/tokenize", &handle_tokenize, true},
    Route{"POST", "/decode", &handle_decode, true},
    Route{"POST", "/v1/rerank", &handle_cohere_rerank, true},
    Route{"POST", "/v2/rerank", &handle_cohere_rerank_v2, true},
    Route{"POST", "/score", &handle_score, true},
    Route{"GET", "/health", &handle_health, false},
    Route{"GET", "/", &handle_health, false},
    Route{"GET", "/ping", &handle_health, false},
    Route{"GET", "/ready", &handle_ready, false},
    Route{"GET", "/metrics", &handle_metrics, false},
    Route{"GET", "/info", &handle_info, true},
    // The API's description is no secret, and Swagger UI in a browser sends no key.
    Route{"GET", "/openapi.json", &handle_openapi, false},
    Route{"GET", "/docs", &handle_docs, false},
    Route{"GET", "/docs/swagger-ui-bundle.js", &handle_docs_script, false},
    Route{"GET", "/docs/swagger-ui.css", &handle_docs_style, false},
};

// Compares in time independent of where the strings differ, so a key can't be guessed byte by
// byte from response times.
bool constant_time_equal(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff = static_cast<unsigned char>(diff | (x ^ y));
  }
  return diff == 0;
}

bool authorized(std::string_view api_key, std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() < kBearer.size()) return false;
  for (std::size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kBearer[i]))) {
      return false;
    }
  }
  return constant_time_equal(authorization.substr(kBearer.size()), api_key);
}

// Client-chosen text in an error message: visible ASCII only, bounded, so the message is
// valid UTF-8 and cannot grow without limit.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 200)) out += (c >= 0x20 && c <= 0x7E) ? c : '?';
  return out;
}

std::string format_ms(std::chrono::nanoseconds duration) {
  std::string out;
  json::append_number(out, std::chrono::duration<double, std::milli>(duration).count());
  return out;
}

void add_timing_headers(HttpResponse& response) {
  if (!response.times) return;
  const engine::StageTimes& times = *response.times;
  response.headers.emplace_back("x-tokenization-time", format_ms(times.tokenize));
  response.headers.emplace_back("x-queue-time", format_ms(times.queue));
  response.headers.emplace_back("x-inference-time", format_ms(times.inference));
  response.headers.emplace_back("x-total-time", format_ms(times.total));
}

// Milliseconds to the microsecond: a log line needs no more digits.
std::string rounded_ms(std::chrono::nanoseconds duration) {
  return format_ms(std::chrono::round<std::chrono::microseconds>(duration));
}

// One JSON object per line on stderr, written with one call so lines from I/O threads never
// interleave. The path is the route's label: client-chosen paths stay bounded.
void write_access_log(std::string_view method, std::string_view path, std::string_view request_id,
                      const HttpResponse& response) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::string line = "{\"ts\":";
  json::append_string(line, stamp);
  line += ",\"method\":";
  json::append_string(line, printable(method.empty() ? "-" : method));
  line += ",\"route\":";
  json::append_string(line, route_label(path));
  line += ",\"status\":";
  json::append_number(line, static_cast<std::int64_t>(response.status));
  line += ",\"pairs\":";
  json::append_number(line, static_cast<std::int64_t>(response.pairs));
  if (response.times) {
    line += ",\"tokenize_ms\":" + rounded_ms(response.times->tokenize);
    line += ",\"queue_ms\":" + rounded_ms(response.times->queue);
    line += ",\"inference_ms\":" + rounded_ms(response.times->inference);
    line += ",\"total_ms\":" + rounded_ms(response.times->total);
  }
  if (!response.error_type.empty()) {
    line += ",\"error_type\":";
    json::append_string(line, response.error_type);
  }
  line += ",\"request_id\":";
  json::append_string(line, printable(request_id));
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

std::string_view route_label(std::string_view path) {
  for (const Route& route : kRoutes) {
    if (route.path == path) return route.path;
  }
  return "other";  // bounded label values, whatever paths clients invent
}

Router::Router(RouterContext context)
    : context_(std::move(context)), metrics_(std::make_unique<HttpMetrics>(context_.registry)) {}

void Router::finish(std::string_view path, std::string_view request_id, HttpResponse& response,
                    std::string_view method) const {
  response.headers.emplace_back("x-request-id", std::string(request_id));
  add_timing_headers(response);
  metrics_->record(route_label(path), response);
  if (context_.access_log) write_access_log(method, path, request_id, response);
}

namespace {

// HEAD is GET without the body (RFC 9110, 9.3.2): it matches the GET routes.
std::string_view routed_method(std::string_view method) {
  return method == "HEAD" ? "GET" : method;
}

struct Routing {
  const Route* route = nullptr;
  std::optional<HttpResponse> refusal;  // 404, 405, /metrics off or 401: no handler runs
};

Routing route_request(const RouterContext& context, std::string_view method, std::string_view path,
                      std::string_view authorization) {
  Routing routing;
  bool path_known = false;
  for (const Route& route : kRoutes) {
    if (route.path != path) continue;
    path_known = true;
    if (route.method == routed_method(method)) routing.route = &route;
  }
  if (routing.route == nullptr) {
    if (!path_known) {
      routing.refusal = error_response(HttpFailure::kRouteNotFound, "no route " + printable(path));
      return routing;
    }
    std::string allowed;
    for (const Route& route : kRoutes) {
      if (route.path != path) continue;
      if (!allowed.empty()) allowed += ", ";
      allowed += route.method;
      if (route.method == "GET") allowed += ", HEAD";
    }
    HttpResponse response =
        error_response(HttpFailure::kMethodNotAllowed, printable(method) + " is not allowed on " +
                                                           printable(path) + "; use " + allowed);
    response.headers.emplace_back("allow", allowed);
    routing.refusal = std::move(response);
    return routing;
  }
  const bool is_metrics = routing.route->handler == &handle_metrics;
  if (is_metrics && context.metrics == "off") {
    routing.refusal =
        error_response(HttpFailure::kRouteNotFound, "no route /metrics (server.metrics is off)");
    return routing;
  }
  const bool needs_key =
      routing.route->needs_api_key || (is_metrics && context.metrics == "api_key");
  if (needs_key && !context.api_key.empty() && !authorized(context.api_key, authorization)) {
    HttpResponse response = error_response(HttpFailure::kUnauthorized,
                                           "missing or wrong \"Authorization: Bearer <key>\"");
    response.headers.emplace_back("www-authenticate", "Bearer realm=\"rerankd\"");
    routing.refusal = std::move(response);
  }
  return routing;
}

}  // namespace

std::optional<HttpResponse> Router::refusal(std::string_view method, std::string_view path,
                                            std::string_view authorization) const {
  return route_request(context_, method, path, authorization).refusal;
}

void Router::handle(HttpRequest request, const Reply& reply) const noexcept {
  // Every answer passes through here on the connection's executor: headers, then metrics.
  const Reply decorated = [this, reply, route = std::string(route_label(request.path)),
                           id = request.request_id, method = request.method](Respond respond) {
    reply([this, respond = std::move(respond), route, id, method]() {
      HttpResponse response;
      try {
        response = respond();
      } catch (const std::exception& e) {
        response = error_response(internal_error(std::string("encoding the answer: ") + e.what()));
      }
      finish(route, id, response, method);
      return response;
    });
  };

  try {
    Routing routing = route_request(context_, request.method, request.path, request.authorization);
    if (routing.refusal) {
      decorated(respond_with(std::move(*routing.refusal)));
      return;
    }
    routing.route->handler(context_, std::move(request), decorated);
  } catch (const std::exception& e) {
    // Only reached if nothing was answered yet: handlers answer last, after all that can throw.
    decorated(respond_with(error_response(internal_error(e.what()))));
  }
}

}  // namespace rerankd::http
