// Fuzzes the HTTP request path on raw bytes: Boost.Beast's request_parser with the limits
// Connection sets (64 KiB of header, server.max_body_bytes of body), the checks Connection
// makes on the header (body limit, Content-Length, x-request-id, route from the target), then
// Router::handle with an in-process service, and the answer serialised as Connection::write
// does. Pipelined requests in one input are handled in turn while the connection stays open.
//
// Why not a socket: a real Server per input (accept, a strand, I/O threads, timeouts) runs at
// a few hundred inputs a second and adds nondeterminism; this follows connection.cc step by
// step without Asio's transport, so a change there must be mirrored here.
//
// The server runs with server.max_body_bytes = 4 KiB (instead of 8 MiB) so that inputs of
// libFuzzer's default length reach the 413 paths; requests that carry an Authorization header
// go to a router with server.api_key set, the others to one without.
//
// Invariants (abort on violation): every request is answered exactly once, synchronously here;
// no response header contains CR or LF; a JSON answer is valid JSON; the status is a real
// HTTP status (100..599); a request refused from its header alone (Router::refusal) gets the
// status handle() would have given it; with server.api_key set, a request whose Authorization
// is not "Bearer fuzz-secret" (any case of "Bearer") is never served 2xx on a route that needs
// the key (every POST route, GET /info, GET /metrics with server.metrics api_key).
#include <simdjson.h>

#include <atomic>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "engine/service.h"
#include "fuzz_support.h"
#include "http/error_map.h"
#include "http/request_id.h"
#include "http/router.h"
#include "metrics/metrics.h"
#include "text/tokenizer.h"

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace engine = rerankd::engine;
namespace http = rerankd::http;

using rerankd::fuzz::fail;

namespace {

constexpr std::uint32_t kHeaderLimitBytes = 64 * 1024;  // server.max_header_bytes' default
constexpr std::int64_t kMaxBodyBytes = 4 * 1024;

// Answers inline on the caller's thread (the real service answers on its own; the router does
// not depend on which): scores are document lengths, as tests/unit/http/fake_service does.
class InlineService : public engine::ScoringService {
 public:
  InlineService() {
    auto loaded = rerankd::text::Tokenizer::from_tokenizer_json(
        rerankd::fuzz::fixture_file("xlmr_tokenizer/tokenizer.json"));
    if (!loaded.ok()) fail("loading the fixture tokenizer", loaded.status().to_string());
    tokenizer_.emplace(std::move(*loaded));
  }

  void score(engine::ScoreRequest request,
             std::function<void(engine::ScoreResponse)> done) override {
    engine::ScoreResponse response;
    for (const engine::OwnedPair& pair : request.pairs) {
      response.scores.push_back(static_cast<float>(pair.document.size()));
    }
    done(std::move(response));
  }

  void rerank(engine::RerankRequest request,
              std::function<void(engine::RerankResponse)> done) override {
    engine::RerankResponse response;
    for (std::size_t i = 0; i < request.documents.size(); ++i) {
      response.ranked.push_back({i, static_cast<float>(request.documents[i].size())});
    }
    if (request.top_n > 0 && request.top_n < response.ranked.size()) {
      response.ranked.resize(request.top_n);
    }
    done(std::move(response));
  }

  engine::ServiceInfo info() const override {
    engine::ServiceInfo info;
    info.model_id = "fuzz/inline";
    info.backend = "inline";
    info.max_length = 512;
    info.max_client_batch_size = 1000;
    info.labels = {"LABEL_0"};
    info.tokenizer = tokenizer_->describe();
    return info;
  }
  const rerankd::text::Tokenizer* tokenizer() const override { return &*tokenizer_; }
  bool ready() const override { return true; }

 private:
  std::optional<rerankd::text::Tokenizer> tokenizer_;
};

struct Servers {
  InlineService service;
  rerankd::metrics::Registry registry;
  std::unique_ptr<http::Router> open;
  std::unique_ptr<http::Router> keyed;

  Servers() {
    http::RouterContext context;  // as Server::start fills it from config::ServerConfig
    context.service = &service;
    context.registry = &registry;
    context.request_timeout_ms = 30000;
    context.draining = std::make_shared<std::atomic<bool>>(false);
    context.version = "fuzz";
    open = std::make_unique<http::Router>(context);
    context.api_key = "fuzz-secret";
    context.metrics = "api_key";
    keyed = std::make_unique<http::Router>(context);
  }
};

Servers& servers() {
  static Servers* instance = new Servers();  // never destroyed: no order-of-exit issues
  return *instance;
}

std::string_view to_std(beast::string_view text) { return {text.data(), text.size()}; }

std::string route_of(const bhttp::request<bhttp::string_body>& message) {
  const std::string_view target = to_std(message.target());
  return std::string(target.substr(0, target.find('?')));
}

bool has_line_break(std::string_view text) {
  return text.find('\r') != std::string_view::npos || text.find('\n') != std::string_view::npos;
}

// Whether `authorization` carries the keyed router's key, as Router's `authorized` reads it.
bool carries_key(std::string_view authorization) {
  constexpr std::string_view kBearer = "bearer ";
  if (authorization.size() != kBearer.size() + std::string_view("fuzz-secret").size()) {
    return false;
  }
  for (std::size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kBearer[i]) return false;
  }
  return authorization.substr(kBearer.size()) == "fuzz-secret";
}

bool needs_key(std::string_view method, std::string_view route) {
  return method == "POST" || route == "/info" || route == "/metrics";
}

// Connection::write: the Beast response, serialised (HEAD: GET's header without the body).
void write(http::HttpResponse response, bool keep_alive, bool head_request = false) {
  if (response.status < 100 || response.status > 599) {
    fail("an HTTP status out of range", std::to_string(response.status));
  }
  for (const auto& [name, value] : response.headers) {
    if (has_line_break(name) || has_line_break(value)) fail("a header with CR/LF", value);
  }
  if (response.content_type == "application/json") {
    static simdjson::dom::parser parser;
    simdjson::dom::element element;
    if (parser.parse(response.body).get(element) != simdjson::SUCCESS) {
      fail("a JSON answer that is not JSON", response.body);
    }
  }
  bhttp::response<bhttp::string_body> message(static_cast<bhttp::status>(response.status), 11);
  message.set(bhttp::field::server, "rerankd");
  message.set(bhttp::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) message.set(name, value);
  message.body() = std::move(response.body);
  message.keep_alive(keep_alive);
  message.prepare_payload();
  if (head_request) message.body().clear();
  std::ostringstream out;
  out << message;
}

// Connection::answer_and_close.
void answer_and_close(const http::Router& router, std::string_view route, std::string request_id,
                      http::HttpResponse response) {
  if (request_id.empty()) request_id = http::generate_request_id();
  router.finish(route, request_id, response);
  write(std::move(response), false);
}

// Connection::dispatch and respond; returns whether the connection stays open. `refused`:
// the answer Router::refusal gave from the header (the connection sent it instead), which
// handle() must agree with.
bool dispatch(bhttp::request<bhttp::string_body> message, std::string route, std::string request_id,
              const std::optional<http::HttpResponse>& refused = {}) {
  const bool head_request = message.method() == bhttp::verb::head;
  http::HttpRequest request;
  request.method = std::string(to_std(message.method_string()));
  request.path = std::move(route);
  request.body = std::move(message.body());
  request.authorization = std::string(to_std(message[bhttp::field::authorization]));
  request.request_id = std::move(request_id);
  request.arrival = engine::Clock::now();
  request.cancel = std::make_shared<engine::CancelFlag>();
  const http::Router& router = request.authorization.empty() ? *servers().open : *servers().keyed;

  int replies = 0;
  http::Respond respond;
  router.handle(std::move(request), [&](http::Respond r) {
    ++replies;
    respond = std::move(r);
  });
  if (replies != 1) fail("answers to one request", std::to_string(replies));
  http::HttpResponse response = respond();
  if (refused && refused->status != response.status) {
    fail("refused from the header with another status than handle() gives",
         std::to_string(refused->status) + " vs " + std::to_string(response.status));
  }
  const std::string_view authorization = to_std(message[bhttp::field::authorization]);
  if (!authorization.empty() && !carries_key(authorization) && response.status >= 200 &&
      response.status < 300 && needs_key(to_std(message.method_string()), route_of(message))) {
    fail("served without the API key", to_std(message.target()));
  }
  if (refused) return false;  // Connection::answer_and_close
  const bool keep_alive = message.keep_alive();
  write(std::move(response), keep_alive, head_request);
  return keep_alive;
}

// One request from the front of `buffer`, as Connection::read_header .. on_body; returns
// whether the connection would read another.
bool serve_one(beast::flat_buffer& buffer) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(kHeaderLimitBytes);
  parser.body_limit(static_cast<std::uint64_t>(kMaxBodyBytes));
  const http::Router& plain = *servers().open;
  std::string request_id;
  std::string route = "other";

  // The header (async_read_header); the whole input is already here, so "need more" is EOF.
  beast::error_code ec;
  while (!parser.is_header_done() && !ec) {
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      parser.put_eof(ec);
      if (!ec && !parser.is_header_done()) return false;
    } else if (!ec && used == 0) {
      return false;
    }
  }
  if (ec == bhttp::error::body_limit) {
    answer_and_close(plain, route, request_id,
                     http::error_response(rerankd::out_of_range("request body is over limit")));
    return false;
  }
  if (ec == bhttp::error::header_limit) {
    answer_and_close(plain, route, request_id,
                     http::error_response(http::HttpFailure::kHeaderTooLarge, "header too large"));
    return false;
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return false;
  if (ec) {
    answer_and_close(plain, route, request_id,
                     http::error_response(http::HttpFailure::kMalformedHttp,
                                          "malformed HTTP request: " + ec.message()));
    return false;
  }
  const auto& header = parser.get();
  request_id = http::request_id_from(to_std(header["x-request-id"]));
  const std::string_view target = to_std(header.target());
  route = std::string(target.substr(0, target.find('?')));
  // Refused from the header alone (Connection::on_header): the body is never read. Its
  // answer is checked against handle()'s on the header with an empty body.
  const std::string_view authorization = to_std(header[bhttp::field::authorization]);
  const http::Router& router = authorization.empty() ? plain : *servers().keyed;
  if (auto refusal = router.refusal(to_std(header.method_string()), route, authorization)) {
    bhttp::request<bhttp::string_body> head_only(header.base());
    answer_and_close(router, route, request_id, *refusal);
    dispatch(std::move(head_only), std::move(route), std::move(request_id), refusal);
    return false;
  }
  const auto content_length = parser.content_length();
  if (content_length && *content_length > static_cast<std::uint64_t>(kMaxBodyBytes)) {
    answer_and_close(plain, route, request_id,
                     http::error_response(rerankd::out_of_range("body over max_body_bytes")));
    return false;
  }

  // The body (async_read); a 100-continue would be written here.
  while (!parser.is_done() && !ec) {
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      parser.put_eof(ec);
      if (!ec && !parser.is_done()) return false;
    } else if (!ec && used == 0) {
      return false;
    }
  }
  if (ec == bhttp::error::body_limit) {
    answer_and_close(plain, route, request_id,
                     http::error_response(rerankd::out_of_range("request body is over limit")));
    return false;
  }
  // A bad chunk size: 400 (Connection::on_body); a body cut short closes.
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_chunk).category() &&
      ec != bhttp::error::partial_message) {
    answer_and_close(plain, route, request_id,
                     http::error_response(http::HttpFailure::kMalformedHttp,
                                          "malformed HTTP request body: " + ec.message()));
    return false;
  }
  if (ec) return false;
  return dispatch(parser.release(), std::move(route), std::move(request_id));
}

}  // namespace

// Loads the tokenizer before the first input, outside libFuzzer's per-input timeout.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  servers();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  servers();
  beast::flat_buffer buffer;
  const auto space = buffer.prepare(size);
  if (size > 0) std::memcpy(space.data(), data, size);
  buffer.commit(size);
  // At most 16 pipelined requests per input, so one input stays quick.
  for (int i = 0; i < 16 && buffer.size() > 0; ++i) {
    if (!serve_one(buffer)) break;
  }
  return 0;
}
