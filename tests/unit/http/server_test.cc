// The HTTP server end to end: a real server on 127.0.0.1 port 0, a real HTTP client, and a fake
// ScoringService whose score is the document's length.
#include "http/server.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/resource.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fake_service.h"
#include "metrics/metrics.h"
#include "server_fixture.h"
#include "support/http_client.h"

namespace rerankd::http {
namespace {

TEST_F(ServerTest, BindsAnEphemeralPort) { EXPECT_GT(port(), 0); }

TEST_F(ServerTest, HealthIsAlwaysOk) {
  service_.set_ready(false);
  ClientResponse response = get("/health");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"status":"ok"})");
}

TEST_F(ServerTest, ReadyIs503UntilTheServiceIsReady) {
  service_.set_ready(false);
  expect_error(get("/ready"), 503, "unavailable");
  service_.set_ready(true);
  EXPECT_EQ(get("/ready").status, 200);
}

TEST_F(ServerTest, TeiRerankSortsBestFirst) {
  ClientResponse response = post("/rerank", R"({"query":"q","texts":["aa","aaaa","a","aaa"]})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, R"([{"index":1,"score":4},{"index":3,"score":3},{"index":0,"score":2},)"
                           R"({"index":2,"score":1}])");
  EXPECT_EQ(response.header("content-type"), "application/json");
  const auto request = service_.last_rerank();
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->query, "q");
  EXPECT_EQ(request->mode, engine::ScoreMode::kActivated);
  EXPECT_EQ(request->top_n, 0u);
  EXPECT_TRUE(request->truncation.enabled);  // truncate absent: the server's auto_truncate
  EXPECT_NE(request->deadline, engine::Clock::time_point::max());
  EXPECT_NE(request->cancel, nullptr);
}

TEST_F(ServerTest, TeiRerankReturnTextAndRawScores) {
  ClientResponse response =
      post("/rerank", R"({"query":"q","texts":["bb","c"],"return_text":true,"raw_scores":true,)"
                      R"("truncate":false,"truncation_direction":"Right"})");
  ASSERT_EQ(response.status, 200) << response.body;
  // Raw scores are minus the length in the fake: the shorter text ranks first.
  EXPECT_EQ(response.body,
            R"([{"index":1,"score":-1,"text":"c"},{"index":0,"score":-2,"text":"bb"}])");
  const auto request = service_.last_rerank();
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->mode, engine::ScoreMode::kRaw);
  EXPECT_FALSE(request->truncation.enabled);
}

TEST_F(ServerTest, TeiTruncateNullUsesAutoTruncate) {
  config::ServerConfig config = test_config();
  config.auto_truncate = false;
  server_.reset();
  start(config);
  ASSERT_EQ(post("/rerank", R"({"query":"q","texts":["a"],"truncate":null})").status, 200);
  EXPECT_FALSE(service_.last_rerank()->truncation.enabled);
  ASSERT_EQ(post("/rerank", R"({"query":"q","texts":["a"],"truncate":true})").status, 200);
  EXPECT_TRUE(service_.last_rerank()->truncation.enabled);
}

TEST_F(ServerTest, CohereRerankWithStringDocuments) {
  ClientResponse response =
      post("/v1/rerank", R"({"query":"q","documents":["aa","aaaa","a"],"top_n":2})",
           {{"x-request-id", "client-id-1"}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, R"({"id":"client-id-1","results":[{"index":1,"relevance_score":4},)"
                           R"({"index":0,"relevance_score":2}],"meta":{"api_version":)"
                           R"({"version":"1"},"billed_units":{"search_units":1},"tokens":)"
                           R"({"input_tokens":10,"output_tokens":0}},"model":"fake/length-scorer",)"
                           R"("usage":{"total_tokens":10}})");
  EXPECT_EQ(response.header("x-request-id"), "client-id-1");
  EXPECT_EQ(service_.last_rerank()->top_n, 2u);
}

TEST_F(ServerTest, CohereRerankWithTextObjectsReturnsDocuments) {
  ClientResponse response =
      post("/v1/rerank",
           R"({"model":"my-model","query":"q","documents":[{"text":"x"},"yyy",{"text":"zz"}],)"
           R"("return_documents":true})");
  ASSERT_EQ(response.status, 200) << response.body;
  dom::element root = parse(response.body);
  std::string_view model;
  ASSERT_EQ(root["model"].get(model), simdjson::SUCCESS);
  EXPECT_EQ(model, "my-model");
  std::string_view id;
  ASSERT_EQ(root["id"].get(id), simdjson::SUCCESS);
  EXPECT_EQ(id, response.header("x-request-id"));
  dom::array results;
  ASSERT_EQ(root["results"].get(results), simdjson::SUCCESS);
  ASSERT_EQ(results.size(), 3u);
  const std::vector<std::pair<int64_t, std::string>> expected = {{1, "yyy"}, {2, "zz"}, {0, "x"}};
  std::size_t i = 0;
  for (dom::element result : results) {
    int64_t index = -1;
    std::string_view text;
    ASSERT_EQ(result["index"].get(index), simdjson::SUCCESS);
    ASSERT_EQ(result["document"]["text"].get(text), simdjson::SUCCESS);
    EXPECT_EQ(index, expected[i].first);
    EXPECT_EQ(text, expected[i].second);
    ++i;
  }
}

TEST_F(ServerTest, ScoreKeepsInputOrder) {
  ClientResponse response = post("/score", R"({"pairs":[["q","aaa"],["q","a"],["q","aa"]]})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, R"({"scores":[3,1,2]})");
  ASSERT_EQ(post("/score", R"({"pairs":[["q","aaa"]],"raw_scores":true})").body,
            R"({"scores":[-3]})");
  EXPECT_EQ(service_.last_score()->mode, engine::ScoreMode::kRaw);
}

TEST_F(ServerTest, TimingAndRequestIdHeaders) {
  ClientResponse response = post("/rerank", R"({"query":"q","texts":["a"]})");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.header("x-tokenization-time"), "1");
  EXPECT_EQ(response.header("x-queue-time"), "2");
  EXPECT_EQ(response.header("x-inference-time"), "3");
  EXPECT_EQ(response.header("x-total-time"), "7");
  EXPECT_EQ(response.header("x-request-id").size(), 16u);
  ClientResponse other = post("/rerank", R"({"query":"q","texts":["a"]})");
  EXPECT_NE(other.header("x-request-id"), response.header("x-request-id"));
}

TEST_F(ServerTest, InfoShowsServiceInfoAndVersion) {
  ClientResponse response = get("/info");
  ASSERT_EQ(response.status, 200);
  dom::element root = parse(response.body);
  std::string_view model_id;
  std::string_view version;
  int64_t max_length = 0;
  ASSERT_EQ(root["model_id"].get(model_id), simdjson::SUCCESS);
  ASSERT_EQ(root["version"].get(version), simdjson::SUCCESS);
  ASSERT_EQ(root["max_length"].get(max_length), simdjson::SUCCESS);
  EXPECT_EQ(model_id, "fake/length-scorer");
  EXPECT_EQ(version, "9.9.9-test");
  EXPECT_EQ(max_length, 512);
  // TEI's fields, for its clients.
  int64_t max_input_length = 0;
  ASSERT_EQ(root["max_input_length"].get(max_input_length), simdjson::SUCCESS);
  EXPECT_EQ(max_input_length, 512);
  std::string_view label;
  ASSERT_EQ(root["model_type"]["reranker"]["id2label"]["0"].get(label), simdjson::SUCCESS)
      << response.body;
  for (const char* key : {"model_sha", "model_dtype", "max_batch_tokens", "max_client_batch_size",
                          "auto_truncate", "tokenization_workers", "sha"}) {
    EXPECT_EQ(root[key].error(), simdjson::SUCCESS) << key << " in " << response.body;
  }
}

TEST_F(ServerTest, OpenApiDocumentDescribesEveryRoute) {
  ClientResponse response = get("/openapi.json");
  ASSERT_EQ(response.status, 200);
  dom::element root = parse(response.body);
  std::string_view openapi;
  ASSERT_EQ(root["openapi"].get(openapi), simdjson::SUCCESS);
  EXPECT_EQ(openapi.substr(0, 2), "3.");
  for (const char* path : {"/rerank", "/v1/rerank", "/score", "/health", "/ready", "/metrics",
                           "/info", "/openapi.json"}) {
    dom::object operations;
    EXPECT_EQ(root["paths"][path].get(operations), simdjson::SUCCESS) << path;
  }
  // Every $ref points at something that exists.
  std::string_view body = response.body;
  for (std::size_t at = body.find("\"$ref\":\""); at != std::string_view::npos;
       at = body.find("\"$ref\":\"", at + 1)) {
    const std::size_t start = at + 8;
    const std::string_view ref = body.substr(start, body.find('"', start) - start);
    ASSERT_EQ(ref.substr(0, 2), "#/") << ref;
    EXPECT_EQ(root.at_pointer(ref.substr(1)).error(), simdjson::SUCCESS) << ref;
  }
}

TEST_F(ServerTest, MetricsCountRequestsByRouteAndStatus) {
  ASSERT_EQ(post("/rerank", R"({"query":"q","texts":["a"]})").status, 200);
  ASSERT_EQ(post("/rerank", R"({"query":"q"})").status, 400);
  ClientResponse response = get("/metrics");
  ASSERT_EQ(response.status, 200);
  EXPECT_NE(response.header("content-type").find("text/plain"), std::string::npos);
  EXPECT_NE(response.body.find(R"(rerankd_requests_total{route="/rerank",status="200"} 1)"),
            std::string::npos)
      << response.body;
  EXPECT_NE(response.body.find(R"(rerankd_request_failures_total{error_type="validation"} 1)"),
            std::string::npos)
      << response.body;
  EXPECT_NE(response.body.find("rerankd_request_queue_seconds_count 1"), std::string::npos)
      << response.body;
}

// DESIGN.md's error table, row by row.
TEST_F(ServerTest, MalformedJsonIs400) {
  expect_error(post("/v1/rerank", R"({"query":"q","documents":[)"), 400, "validation");
  expect_error(post("/rerank", R"({"query":"q","texts":[)"), 400, "Validation");  // TEI's
}

TEST_F(ServerTest, MissingFieldIs400) {
  expect_error(post("/rerank", R"({"texts":["a"]})"), 400, "Validation");
  expect_error(post("/v1/rerank", R"({"query":"q"})"), 400, "validation");
  expect_error(post("/score", R"({})"), 400, "validation");
}

TEST_F(ServerTest, TypeErrorIs422) {
  expect_error(post("/rerank", R"({"query":"q","texts":"a"})"), 422, "Validation");
  expect_error(post("/rerank", R"({"query":1,"texts":["a"]})"), 422, "Validation");
  expect_error(post("/rerank", R"({"query":"q","texts":["a",2]})"), 422, "Validation");
  expect_error(post("/v1/rerank", R"({"query":"q","documents":[{"text":3}]})"), 422,
               "unprocessable");
  expect_error(post("/v1/rerank", R"({"query":"q","documents":["a"],"top_n":"2"})"), 422,
               "unprocessable");
  expect_error(post("/score", R"({"pairs":[["q",1]]})"), 422, "unprocessable");
  expect_error(post("/score", R"([1,2])"), 422, "unprocessable");
}

TEST_F(ServerTest, EmptyListsAre400) {
  expect_error(post("/rerank", R"({"query":"q","texts":[]})"), 400, "Empty");
  expect_error(post("/predict", R"({"inputs":[]})"), 400, "Empty");
  expect_error(post("/v1/rerank", R"({"query":"q","documents":[]})"), 400, "validation");
  expect_error(post("/score", R"({"pairs":[]})"), 400, "validation");
}

TEST_F(ServerTest, MoreDocumentsThanMaxClientBatchSizeIs413) {
  const std::string nine = R"(["a","a","a","a","a","a","a","a","a"])";
  // TEI 1.9 says 422 Validation for this.
  expect_error(post("/rerank", R"({"query":"q","texts":)" + nine + "}"), 422, "Validation");
  expect_error(post("/v1/rerank", R"({"query":"q","documents":)" + nine + "}"), 413, "too_large");
}

TEST_F(ServerTest, PairTooLongWithTruncationOffIs413) {
  service_.fail_with(out_of_range("pair 0: 600 tokens is over max_length 512"));
  expect_error(post("/v1/rerank", R"({"query":"q","documents":["a"],"truncate":false})"), 413,
               "too_large");
  expect_error(post("/rerank", R"({"query":"q","texts":["a"],"truncate":false})"), 422,
               "Validation");
}

TEST_F(ServerTest, BodyOverTheLimitIs413) {
  const std::string big = R"({"query":"q","texts":[")" + std::string(5000, 'a') + "\"]}";
  expect_error(post("/rerank", big), 413, "too_large");
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitIs413) {
  HttpClient client(port());
  const std::string chunk(5000, 'a');
  char size[16];
  std::snprintf(size, sizeof(size), "%zx", chunk.size());
  ASSERT_TRUE(client.send_raw(std::string("POST /rerank HTTP/1.1\r\nHost: x\r\n"
                                          "Transfer-Encoding: chunked\r\n\r\n") +
                              size + "\r\n" + chunk + "\r\n0\r\n\r\n"));
  expect_error(client.read_response(), 413, "too_large");
}

TEST_F(ServerTest, QueueFullIs429WithRetryAfter) {
  service_.fail_with(Status(StatusCode::kResourceExhausted, "queue full: 65536 pairs"));
  ClientResponse response = post("/v1/rerank", R"({"query":"q","documents":["a"]})");
  expect_error(response, 429, "overloaded");
  EXPECT_EQ(response.header("retry-after"), "1");
  ClientResponse tei = post("/rerank", R"({"query":"q","texts":["a"]})");
  expect_error(tei, 429, "Overloaded");
  EXPECT_EQ(tei.header("retry-after"), "1");
}

TEST_F(ServerTest, NotReadyIs503) {
  service_.fail_with(Status(StatusCode::kUnavailable, "shutting down"));
  expect_error(post("/score", R"({"pairs":[["q","a"]]})"), 503, "unavailable");
  expect_error(post("/predict", R"({"inputs":["q","a"]})"), 503, "Unhealthy");
}

TEST_F(ServerTest, DeadlineIs504) {
  service_.fail_with(Status(StatusCode::kDeadlineExceeded, "request_timeout_ms 30000 passed"));
  expect_error(post("/v1/rerank", R"({"query":"q","documents":["a"]})"), 504, "deadline_exceeded");
}

TEST_F(ServerTest, InternalIs500) {
  service_.fail_with(internal_error("backend failed"));
  expect_error(post("/v1/rerank", R"({"query":"q","documents":["a"]})"), 500, "internal");
  expect_error(post("/rerank", R"({"query":"q","texts":["a"]})"), 424, "Backend");  // TEI's
}

TEST_F(ServerTest, UnknownRouteIs404AndWrongMethodIs405) {
  expect_error(get("/nope"), 404, "not_found");
  ClientResponse response = get("/rerank");
  expect_error(response, 405, "method_not_allowed");
  EXPECT_EQ(response.header("allow"), "POST");
  expect_error(post("/health", "{}"), 405, "method_not_allowed");
}

TEST_F(ServerTest, ApiKeyIsRequiredEverywhereButTheProbes) {
  config::ServerConfig config = test_config();
  config.api_key = "s3cret";
  server_.reset();
  start(config);
  const std::string body = R"({"query":"q","texts":["a"]})";
  expect_error(post("/rerank", body), 401, "unauthorized");
  const ClientResponse wrong = post("/rerank", body, {{"authorization", "Bearer wrong"}});
  expect_error(wrong, 401, "unauthorized");
  EXPECT_EQ(wrong.header("www-authenticate"), R"(Bearer realm="rerankd")");
  for (const char* path : {"/", "/invocations", "/v2/rerank", "/predict"}) {
    EXPECT_EQ(post(path, body).status, 401) << path;
  }
  EXPECT_EQ(get("/info").status, 401);
  EXPECT_EQ(post("/rerank", body, {{"authorization", "Bearer s3cret"}}).status, 200);
  EXPECT_EQ(get("/info", {{"authorization", "Bearer s3cret"}}).status, 200);
  // Probes and (by default) metrics need no key: a balancer or kubelet holds no secret.
  for (const char* path :
       {"/health", "/ready", "/ping", "/", "/metrics", "/docs", "/openapi.json"}) {
    EXPECT_NE(get(path).status, 401) << path;
  }
}

TEST_F(ServerTest, DocsServeSwaggerUiFromTheBinary) {
  const ClientResponse page = get("/docs");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.header("content-type").find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("/docs/swagger-ui-bundle.js"), std::string::npos);
  EXPECT_NE(page.body.find(R"(url: "/openapi.json")"), std::string::npos);
  const ClientResponse script = get("/docs/swagger-ui-bundle.js");
  ASSERT_EQ(script.status, 200);
  EXPECT_GT(script.body.size(), 1000000u);
  EXPECT_NE(script.body.find("SwaggerUIBundle"), std::string::npos);
  const ClientResponse style = get("/docs/swagger-ui.css");
  ASSERT_EQ(style.status, 200);
  EXPECT_NE(style.body.find(".swagger-ui"), std::string::npos);
}

TEST_F(ServerTest, MetricsFollowTheConfig) {
  config::ServerConfig config = test_config();
  config.api_key = "s3cret";
  config.metrics = "api_key";
  server_.reset();
  start(config);
  expect_error(get("/metrics"), 401, "unauthorized");
  EXPECT_EQ(get("/metrics", {{"authorization", "Bearer s3cret"}}).status, 200);
  config.metrics = "off";
  server_.reset();
  start(config);
  expect_error(get("/metrics", {{"authorization", "Bearer s3cret"}}), 404, "not_found");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  HttpClient client(port());
  for (int i = 0; i < 5; ++i) {
    ClientResponse response = client.post("/score", R"({"pairs":[["q","abc"]]})");
    ASSERT_EQ(response.status, 200) << i << response.error;
    EXPECT_EQ(response.body, R"({"scores":[3]})");
  }
  EXPECT_EQ(client.get("/health").status, 200);
  EXPECT_FALSE(client.closed_by_server(0));
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  HttpClient client(port());
  const std::string one = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string two =
      "POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 24\r\n\r\n"
      R"({"pairs":[["q","abcd"]]})";
  ASSERT_TRUE(client.send_raw(one + two));
  EXPECT_EQ(client.read_response().status, 200);
  ClientResponse second = client.read_response();
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, R"({"scores":[4]})");
}

TEST_F(ServerTest, SlowHeaderIsCutOffWith408) {
  config::ServerConfig config = test_config();
  config.header_timeout_ms = 200;
  server_.reset();
  start(config);
  HttpClient client(port());
  // A partial request line, then nothing: the header deadline passes; the client is told so,
  // and the server hangs up.
  ASSERT_TRUE(client.send_raw("POST /rerank HT"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(client.send_raw("T"));
  const ClientResponse response = client.read_response();
  expect_error(response, 408, "request_timeout");
  EXPECT_NE(response.body.find("request header did not arrive within 200 ms"), std::string::npos)
      << response.body;
  EXPECT_EQ(response.header("connection"), "close");
  EXPECT_TRUE(client.closed_by_server(20000));
}

TEST_F(ServerTest, SlowBodyIsCutOffWith408) {
  config::ServerConfig config = test_config();
  config.body_timeout_ms = 200;
  server_.reset();
  start(config);
  HttpClient client(port());
  ASSERT_TRUE(client.send_raw("POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"));
  const ClientResponse response = client.read_response();
  expect_error(response, 408, "request_timeout");
  EXPECT_NE(response.body.find("request body"), std::string::npos) << response.body;
  EXPECT_TRUE(client.closed_by_server(20000));
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  config::ServerConfig config = test_config();
  config.idle_timeout_ms = 200;
  server_.reset();
  start(config);
  HttpClient client(port());
  ASSERT_EQ(client.get("/health").status, 200);
  EXPECT_TRUE(client.closed_by_server(20000));
}

TEST_F(ServerTest, ManyIdleConnectionsDoNotStarveANewOne) {
  // Each idle connection costs two descriptors in this process (client and server side).
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  const int count = static_cast<int>(std::min<rlim_t>(1000, (limit.rlim_cur - 64) / 2));
  ASSERT_GE(count, 100) << "ulimit -n is too small for this test";
  std::vector<std::unique_ptr<HttpClient>> idle;
  for (int i = 0; i < count; ++i) {
    idle.push_back(std::make_unique<HttpClient>(port()));
    ASSERT_TRUE(idle.back()->connected()) << i;
    if (i % 100 == 0) {  // some have completed a request and now sit in keep-alive
      ASSERT_EQ(idle.back()->get("/health").status, 200) << i;
    }
  }
  ClientResponse response = post("/score", R"({"pairs":[["q","ab"]]})");
  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_EQ(response.body, R"({"scores":[2]})");
  // And the idle ones still work.
  EXPECT_EQ(idle.front()->get("/health").status, 200);
  EXPECT_EQ(idle.back()->get("/health").status, 200);
}

TEST_F(ServerTest, ClientDisconnectCancelsTheRequest) {
  service_.hold();
  {
    HttpClient client(port());
    ASSERT_TRUE(
        client.send_raw("POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 21\r\n\r\n"
                        R"({"pairs":[["q","a"]]})"));
    service_.wait_for_calls(1);
  }  // hangs up without reading the answer
  std::shared_ptr<engine::CancelFlag> cancel = service_.last_score()->cancel;
  ASSERT_NE(cancel, nullptr);
  for (int i = 0; i < 2000 && !cancel->cancelled(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(cancel->cancelled());
  service_.release();
}

TEST_F(ServerTest, AClientThatHalfClosesStillGetsItsAnswer) {
  // The hostile test's client sent its request and shut its sending side: it was told 503
  // "request cancelled". A half-close is not a hang-up.
  service_.hold();
  HttpClient client(port());
  ASSERT_TRUE(
      client.send_raw("POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 23\r\n\r\n"
                      R"({"pairs":[["q","abc"]]})"));
  service_.wait_for_calls(1);
  ASSERT_TRUE(client.shutdown_send());
  // The server sees the end of stream while the request is held and probes with an interim
  // 100, which a half-closed client reads and skips (before the fix: it cancelled).
  std::shared_ptr<engine::CancelFlag> cancel = service_.last_score()->cancel;
  ASSERT_NE(cancel, nullptr);
  for (int i = 0; i < 2000 && !cancel->cancelled() && !client.readable(0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(cancel->cancelled());
  service_.release();
  const ClientResponse response = client.read_response();
  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_EQ(response.body, R"({"scores":[3]})");
  EXPECT_EQ(response.interim_seen, 1);
  EXPECT_EQ(response.header("connection"), "close");
}

TEST_F(ServerTest, GracefulStopAnswersInFlightRequests) {
  service_.hold();
  HttpClient busy(port());
  HttpClient idle(port());
  ASSERT_EQ(idle.get("/health").status, 200);
  ASSERT_TRUE(
      busy.send_raw("POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 23\r\n\r\n"
                    R"({"pairs":[["q","abc"]]})"));
  service_.wait_for_calls(1);
  std::thread stopper([&] { server_->stop(); });
  // The idle connection is closed and new connections are refused while the request waits.
  EXPECT_TRUE(idle.closed_by_server(20000));
  service_.release();
  ClientResponse response = busy.read_response();
  stopper.join();
  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_EQ(response.body, R"({"scores":[3]})");
  EXPECT_EQ(response.header("connection"), "close");
  HttpClient late(port());
  EXPECT_FALSE(late.connected());
}

}  // namespace
}  // namespace rerankd::http
