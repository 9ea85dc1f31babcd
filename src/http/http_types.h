// Transport-neutral request and response values passed between the connection (Beast) and the
// route handlers, so no Beast type reaches the handlers or the codecs.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/service.h"

namespace rerankd::http {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // target without the query string
  std::string body;
  std::string authorization;  // the Authorization header, empty when absent
  std::string request_id;     // the client's x-request-id or a generated one
  engine::Clock::time_point arrival;
  std::shared_ptr<engine::CancelFlag> cancel;  // set when the client disconnects
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string error_type;                                    // set on errors; for metrics
  std::optional<engine::StageTimes> times;  // from the service; becomes x-*-time headers
  std::size_t pairs = 0;                    // pairs the request scored; for the access log
};

// Builds the response; runs on the connection's executor (an I/O thread), so that encoding a
// large answer never occupies a service thread. May throw (the connection answers 500).
using Respond = std::function<HttpResponse()>;

// Delivers a response to its connection. Thread-safe; may be called from any thread, exactly
// once per request; it never blocks: the connection posts `respond` to its own executor.
using Reply = std::function<void(Respond respond)>;

// Wraps a finished response.
inline Respond respond_with(HttpResponse response) {
  return [response = std::move(response)]() { return response; };
}

}  // namespace rerankd::http
