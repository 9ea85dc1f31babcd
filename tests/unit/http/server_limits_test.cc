// The limits a public deployment needs (issue 19), each against the real server on a loopback
// port: the API key checked before a body is read, max_connections, max_buffered_body_bytes,
// max_header_bytes (431), max_idle_connections, a bad chunk (400), and HEAD on GET routes.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server_fixture.h"

namespace rerankd::http {
namespace {

// A /score body of exactly `size` bytes (JSON allows trailing white space).
std::string score_body_of_size(std::size_t size) {
  std::string body = R"({"pairs":[["q","a"]]})";
  body.resize(size, ' ');
  return body;
}

std::string post_header(std::string_view target, std::size_t content_length,
                        std::string_view extra = {}) {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + std::string(extra) +
         "Content-Length: " + std::to_string(content_length) + "\r\n\r\n";
}

class ServerLimitsTest : public ServerTest {
 protected:
  void SetUp() override {}  // each test starts the server with its own limits
};

TEST_F(ServerLimitsTest, AWrongApiKeyIsRefusedBeforeTheBodyIsRead) {
  config::ServerConfig config = test_config();
  config.api_key = "s3cret";
  config.max_body_bytes = 1 << 20;
  config.body_timeout_ms = 60000;
  start(config);
  // The header announces a large body and none follows: only an answer from the header alone
  // arrives (before the fix the server waited for the body).
  HttpClient client(port());
  ASSERT_TRUE(client.send_raw(post_header("/rerank", 1 << 20)));
  const ClientResponse response = client.read_response();
  expect_error(response, 401, "unauthorized");
  EXPECT_EQ(response.header("connection"), "close");
  EXPECT_FALSE(service_.last_rerank().has_value());
  // With the key, the same request is read and scored.
  HttpClient keyed(port());
  const ClientResponse ok = keyed.post("/rerank", R"({"query":"q","texts":["aa"]})",
                                       {{"Authorization", "Bearer s3cret"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(ServerLimitsTest, AConnectionPastMaxConnectionsIsAnswered503AndClosed) {
  config::ServerConfig config = test_config();
  config.max_connections = 3;
  start(config);
  std::vector<std::unique_ptr<HttpClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<HttpClient>(port()));
    ASSERT_EQ(held.back()->get("/health").status, 200) << i;  // open and idle, kept alive
  }
  HttpClient extra(port());
  const ClientResponse refused = extra.get("/health");
  expect_error(refused, 503, "busy");
  EXPECT_NE(refused.body.find("max_connections 3"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_TRUE(extra.closed_by_server(20000));
  // The held ones still work, and once one goes a newcomer is served (its close reaches the
  // server a moment later, hence the retries; no timing is asserted).
  EXPECT_EQ(held[0]->get("/health").status, 200);
  held.pop_back();
  int status = 0;
  for (int attempt = 0; attempt < 200 && status != 200; ++attempt) {
    HttpClient newcomer(port());
    status = newcomer.get("/health").status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(status, 200);
}

TEST_F(ServerLimitsTest, BodiesPastMaxBufferedBodyBytesAre503BeforeTheyAreRead) {
  config::ServerConfig config = test_config();  // max_body_bytes 4096
  config.max_buffered_body_bytes = 8192;
  start(config);
  const std::string body = score_body_of_size(4000);
  // Two bodies in the making hold 8,000 of the 8,192 bytes. Each header asks for a 100
  // Continue, which the server sends once the bytes are reserved: waiting for both means a
  // third cannot be counted before them.
  HttpClient first(port());
  HttpClient second(port());
  const std::string expect = "Expect: 100-continue\r\n";
  ASSERT_TRUE(first.send_raw(post_header("/score", body.size(), expect)));
  ASSERT_TRUE(first.readable(20000));
  ASSERT_TRUE(second.send_raw(post_header("/score", body.size(), expect)));
  ASSERT_TRUE(second.readable(20000));
  ASSERT_TRUE(first.send_raw(body.substr(0, 3999)));
  ASSERT_TRUE(second.send_raw(body.substr(0, 3999)));
  // A third is refused from its header.
  HttpClient third(port());
  ASSERT_TRUE(third.send_raw(post_header("/score", body.size())));
  const ClientResponse refused = third.read_response();
  expect_error(refused, 503, "busy");
  EXPECT_NE(refused.body.find("max_buffered_body_bytes 8192"), std::string::npos);
  EXPECT_EQ(refused.header("retry-after"), "1");
  // The held bodies complete and are scored; what they held is given back.
  ASSERT_TRUE(first.send_raw(body.substr(3999)));
  EXPECT_EQ(first.read_response().status, 200);
  ASSERT_TRUE(second.send_raw(body.substr(3999)));
  EXPECT_EQ(second.read_response().status, 200);
  // They are given back once each answer's write completes, which may be a moment after the
  // client has read it: a 503 in between is retried.
  int after_status = 503;
  for (int attempt = 0; attempt < 200 && after_status == 503; ++attempt) {
    HttpClient after(port());
    after_status = after.post("/score", body).status;
    if (after_status == 503) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(after_status, 200);
}

TEST_F(ServerLimitsTest, AChunkedBodyIsCountedChunkByChunk) {
  config::ServerConfig config = test_config();
  config.max_buffered_body_bytes = 4096;
  start(config);
  HttpClient holder(port());
  // Holds 4,000 of the 4,096 bytes once its header is read, which the server's 100 Continue
  // (sent after the reservation) confirms. Without that wait, a chunked request below could be
  // counted first and the holder itself refused (seen under TSan).
  ASSERT_TRUE(holder.send_raw(post_header("/score", 4000, "Expect: 100-continue\r\n")));
  ASSERT_TRUE(holder.readable(20000));
  // Its first chunk fits; the second would pass the bound.
  std::string request =
      "POST /score HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "40\r\n" +
      std::string(64, ' ') + "\r\n" + "100\r\n" + std::string(256, ' ') + "\r\n0\r\n\r\n";
  int status = 0;
  // The answer can be lost to a reset (status 0): the server closes with "0\r\n\r\n" unread.
  for (int attempt = 0; attempt < 200 && status == 0; ++attempt) {
    HttpClient client(port());
    ASSERT_TRUE(client.send_raw(request));
    status = client.read_response().status;
  }
  EXPECT_EQ(status, 503);
}

TEST_F(ServerLimitsTest, AHeaderOverMaxHeaderBytesIs431) {
  start();
  // Many small fields (as the hostile test sent: 10,000 of them, 88 KB) ...
  std::string many = "GET /health HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 10000; ++i) many += "X-" + std::to_string(i) + ": y\r\n";
  HttpClient client(port());
  ASSERT_TRUE(client.send_raw(many + "\r\n"));
  const ClientResponse response = client.read_response();
  expect_error(response, 431, "header_too_large");
  EXPECT_NE(response.body.find("max_header_bytes 65536"), std::string::npos) << response.body;
  // ... and one large field.
  HttpClient large(port());
  ASSERT_TRUE(large.send_raw(
      "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70000, 'a') + "\r\n\r\n"));
  expect_error(large.read_response(), 431, "header_too_large");
  // A header under the limit passes.
  HttpClient fine(port());
  EXPECT_EQ(fine.get("/health", {{"X-Fine", std::string(60000, 'a')}}).status, 200);
}

TEST_F(ServerLimitsTest, ConnectionsPastMaxIdleConnectionsCloseAfterTheirAnswer) {
  config::ServerConfig config = test_config();
  config.max_idle_connections = 1;
  start(config);
  HttpClient idle(port());
  ASSERT_EQ(idle.get("/health").status, 200);  // now waits for its next request
  // The first connection becomes idle a moment after its answer; a later one finds the cap
  // taken and is told to close.
  std::string connection;
  for (int attempt = 0; attempt < 200 && connection != "close"; ++attempt) {
    HttpClient other(port());
    const ClientResponse response = other.get("/health");
    ASSERT_EQ(response.status, 200);
    connection = response.header("connection");
    if (connection != "close") std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(connection, "close");
  EXPECT_EQ(idle.get("/health").status, 200);  // the idle one was kept
}

TEST_F(ServerLimitsTest, ABadChunkSizeIs400) {
  start();
  HttpClient client(port());
  ASSERT_TRUE(
      client.send_raw("POST /score HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                      "chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"));
  const ClientResponse response = client.read_response();
  expect_error(response, 400, "malformed_http");
  EXPECT_NE(response.body.find("request body"), std::string::npos) << response.body;
}

TEST_F(ServerLimitsTest, HeadOnAGetRouteAnswersItsHeaderWithoutTheBody) {
  start();
  HttpClient client(port());
  const ClientResponse get = client.get("/health");
  ASSERT_EQ(get.status, 200);
  ASSERT_TRUE(client.send_raw("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  const ClientResponse head = client.read_head_response();
  EXPECT_EQ(head.status, 200) << head.error;
  EXPECT_EQ(head.header("content-length"), std::to_string(get.body.size()));
  EXPECT_TRUE(head.body.empty());
  // The connection is still in step: the next answer is the next request's.
  EXPECT_EQ(client.get("/health").body, get.body);
  // A POST route does not take HEAD, and says what it takes.
  HttpClient other(port());
  ASSERT_TRUE(other.send_raw("HEAD /rerank HTTP/1.1\r\nHost: x\r\n\r\n"));
  const ClientResponse refused = other.read_head_response();
  EXPECT_EQ(refused.status, 405);
  EXPECT_EQ(refused.header("allow"), "POST");
  // GET routes list HEAD as allowed.
  HttpClient post_to_get(port());
  EXPECT_EQ(post_to_get.post("/health", "{}").header("allow"), "GET, HEAD");
}

}  // namespace
}  // namespace rerankd::http
