#include "bench/http_target.h"

#include <simdjson.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <cstdlib>
#include <mutex>
#include <sstream>

#include "bench/ranking_check.h"
#include "common/json_writer.h"

namespace rerankd::bench {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::uint64_t kBodyLimit = 256ull << 20;  // a ranking of many documents, or /metrics

struct Endpoint {
  std::string host;
  std::string port;
};

Result<Endpoint> parse_url(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  const auto bad = [&](const char* why) {
    return invalid_argument("target URL \"" + url + "\": " + why +
                            " (expected http://HOST:PORT with no path)");
  };
  if (url.rfind(kScheme, 0) != 0) return bad("not http://");
  const std::string rest = url.substr(kScheme.size());
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad("no host:port");
  Endpoint endpoint{rest.substr(0, colon), rest.substr(colon + 1)};
  int port = 0;
  const char* end = endpoint.port.data() + endpoint.port.size();
  const auto [ptr, ec] = std::from_chars(endpoint.port.data(), end, port);
  if (ec != std::errc() || ptr != end || port < 1 || port > 65535) return bad("bad port");
  if (endpoint.host.front() == '[' && endpoint.host.back() == ']') {  // [::1]
    endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
  }
  return endpoint;
}

struct Reply {
  unsigned status = 0;
  std::string body;
};

// One keep-alive connection, opened on first use. A request that fails on a reused
// connection (the server closed it while idle) is retried once on a fresh one.
class Connection {
 public:
  explicit Connection(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}

  Result<Reply> exchange(bhttp::verb method, const char* target, const std::string& body) {
    const bool reused = socket_.is_open();
    auto reply = try_exchange(method, target, body);
    if (reply.ok() || !reused) return reply;
    return try_exchange(method, target, body);
  }

 private:
  Result<Reply> try_exchange(bhttp::verb method, const char* target, const std::string& body) {
    beast::error_code ec;
    if (!socket_.is_open()) {
      tcp::resolver resolver(io_);
      const auto addresses = resolver.resolve(endpoint_.host, endpoint_.port, ec);
      if (!ec) net::connect(socket_, addresses, ec);
      if (ec) return fail("connect", ec);
      buffer_.clear();
    }
    bhttp::request<bhttp::string_body> request{method, target, 11};
    request.set(bhttp::field::host, endpoint_.host);
    request.keep_alive(true);
    if (!body.empty()) request.set(bhttp::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    bhttp::write(socket_, request, ec);
    if (ec) return fail("write", ec);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kBodyLimit);
    bhttp::read(socket_, buffer_, parser, ec);
    if (ec) return fail("read", ec);
    if (!parser.get().keep_alive()) close();
    return Reply{parser.get().result_int(), std::move(parser.get().body())};
  }

  Status fail(const char* what, const beast::error_code& ec) {
    close();
    return Status(StatusCode::kUnavailable,
                  endpoint_.host + ":" + endpoint_.port + ": " + what + ": " + ec.message());
  }
  void close() {
    beast::error_code ignored;
    socket_.close(ignored);
  }

  Endpoint endpoint_;
  net::io_context io_;
  tcp::socket socket_{io_};
  beast::flat_buffer buffer_;
};

// TEI's /rerank body with raw scores and no top_n.
std::string rerank_body(const BenchRequest& request) {
  std::string body = "{\"query\":";
  json::append_string(body, request.query);
  body += ",\"texts\":[";
  for (std::size_t i = 0; i < request.documents.size(); ++i) {
    if (i > 0) body += ',';
    json::append_string(body, request.documents[i]);
  }
  body += "],\"raw_scores\":true}";
  return body;
}

CallOutcome failure(std::string type, std::string message) {
  CallOutcome outcome;
  outcome.error_type = std::move(type);
  outcome.error = std::move(message);
  return outcome;
}

// A 2xx answer: [{"index": i, "score": s}, ...] naming every document once.
CallOutcome read_ranking(simdjson::dom::parser& parser, const std::string& body,
                         std::size_t documents) {
  simdjson::dom::array results;
  if (parser.parse(body.data(), body.size(), true).get_array().get(results)) {
    return failure("bad_response", "the answer is not a JSON array");
  }
  std::vector<std::size_t> indices;
  for (simdjson::dom::element result : results) {
    std::uint64_t index = 0;
    if (result["index"].get_uint64().get(index)) {
      return failure("bad_response", "a result has no integer \"index\"");
    }
    indices.push_back(static_cast<std::size_t>(index));
  }
  if (auto problem = ranking_problem(indices, documents); !problem.empty()) {
    return failure("bad_response", std::move(problem));
  }
  CallOutcome outcome;
  outcome.ok = true;
  outcome.pairs = documents;
  return outcome;
}

// An error answer: {"error": ..., "error_type": ...}; "http_<status>" when it has no type.
CallOutcome read_error(simdjson::dom::parser& parser, const Reply& reply) {
  std::string type = "http_" + std::to_string(reply.status);
  std::string message = reply.body.substr(0, 500);
  simdjson::dom::object object;
  if (!parser.parse(reply.body.data(), reply.body.size(), true).get_object().get(object)) {
    std::string_view text;
    if (!object["error_type"].get_string().get(text)) type = std::string(text);
    if (!object["error"].get_string().get(text)) message = std::string(text);
  }
  return failure(std::move(type), std::move(message));
}

class HttpSession final : public Session {
 public:
  explicit HttpSession(Endpoint endpoint) : connection_(std::move(endpoint)) {}

  CallOutcome call(const BenchRequest& request) override {
    const auto reply = connection_.exchange(bhttp::verb::post, "/rerank", rerank_body(request));
    if (!reply.ok()) return failure("transport", reply.status().message());
    if (reply->status / 100 == 2)
      return read_ranking(parser_, reply->body, request.documents.size());
    return read_error(parser_, *reply);
  }

 private:
  Connection connection_;
  simdjson::dom::parser parser_;  // reuses its buffers from call to call
};

// The value of an unlabelled series ("name 12.5") in Prometheus text; 0 when absent.
double metric_value(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  std::string line;
  const std::string prefix = name + " ";
  while (std::getline(lines, line)) {
    if (line.rfind(prefix, 0) == 0) return std::strtod(line.c_str() + prefix.size(), nullptr);
  }
  return 0;
}

class HttpTarget final : public Target {
 public:
  HttpTarget(std::string url, Endpoint endpoint)
      : url_(std::move(url)), endpoint_(endpoint), metrics_connection_(std::move(endpoint)) {}

  Result<std::unique_ptr<Session>> open_session() override {
    return std::unique_ptr<Session>(std::make_unique<HttpSession>(endpoint_));
  }
  std::string describe() const override { return url_; }

  double mean_batch_size() override {
    std::lock_guard lock(mutex_);
    const auto [sum, count] = batch_totals();
    const double batches = count - count_at_reset_;
    return batches > 0 ? (sum - sum_at_reset_) / batches : 0;
  }
  double pairs_computed() override {
    std::lock_guard lock(mutex_);
    return batch_totals().first - sum_at_reset_;
  }
  void reset_batch_stats() override {
    std::lock_guard lock(mutex_);
    std::tie(sum_at_reset_, count_at_reset_) = batch_totals();
  }

 private:
  // (sum, count) of rerankd_batch_size_pairs from GET /metrics; zeros when it cannot tell.
  std::pair<double, double> batch_totals() {
    const auto reply = metrics_connection_.exchange(bhttp::verb::get, "/metrics", "");
    if (!reply.ok() || reply->status != 200) return {0, 0};
    return {metric_value(reply->body, "rerankd_batch_size_pairs_sum"),
            metric_value(reply->body, "rerankd_batch_size_pairs_count")};
  }

  std::string url_;
  Endpoint endpoint_;
  std::mutex mutex_;  // guards what follows
  Connection metrics_connection_;
  double sum_at_reset_ = 0;
  double count_at_reset_ = 0;
};

}  // namespace

Result<std::unique_ptr<Target>> make_http_target(const std::string& url) {
  RERANKD_ASSIGN_OR_RETURN(Endpoint endpoint, parse_url(url));
  return std::unique_ptr<Target>(std::make_unique<HttpTarget>(url, std::move(endpoint)));
}

}  // namespace rerankd::bench
