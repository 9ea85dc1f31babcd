// The fixture of the HTTP server tests: a real server on 127.0.0.1 port 0, a real HTTP client,
// and a fake ScoringService whose score is the document's length.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fake_service.h"
#include "http/server.h"
#include "metrics/metrics.h"
#include "support/http_client.h"

namespace rerankd::http {

using rerankd::testing::ClientResponse;
using rerankd::testing::HttpClient;
using testing::FakeService;

namespace dom = simdjson::dom;

class ServerTest : public ::testing::Test {
 protected:
  static config::ServerConfig test_config() {
    config::ServerConfig config;
    config.port = 0;
    config.io_threads = 2;
    config.max_client_batch_size = 8;
    config.max_body_bytes = 4096;
    return config;
  }

  void start(const config::ServerConfig& config = test_config()) {
    ServerOptions options;
    options.server = config;
    options.server.drain_timeout_ms = 10000;
    options.version = "9.9.9-test";
    auto server = Server::start(options, service_, &registry_);
    ASSERT_TRUE(server.ok()) << server.status().to_string();
    server_ = std::move(*server);
  }

  void SetUp() override { start(); }

  std::uint16_t port() const { return server_->port(); }

  ClientResponse post(std::string_view target, std::string_view body,
                      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    HttpClient client(port());
    return client.post(target, body, headers);
  }
  ClientResponse get(std::string_view target,
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    HttpClient client(port());
    return client.get(target, headers);
  }

  // Parses a body; the parser lives in the fixture so elements stay valid for the test.
  dom::element parse(const std::string& body) {
    dom::element element;
    EXPECT_EQ(parser_.parse(body).get(element), simdjson::SUCCESS) << body;
    return element;
  }

  void expect_error(const ClientResponse& response, int status, std::string_view error_type) {
    EXPECT_EQ(response.status, status) << response.body << response.error;
    dom::element root = parse(response.body);
    std::string_view type;
    std::string_view message;
    EXPECT_EQ(root["error_type"].get(type), simdjson::SUCCESS) << response.body;
    EXPECT_EQ(root["error"].get(message), simdjson::SUCCESS) << response.body;
    EXPECT_EQ(type, error_type) << response.body;
    EXPECT_FALSE(message.empty());
    EXPECT_EQ(response.header("content-type"), "application/json");
    EXPECT_FALSE(response.header("x-request-id").empty());
  }

  FakeService service_;
  metrics::Registry registry_;
  std::unique_ptr<Server> server_;
  dom::parser parser_;
};

}  // namespace rerankd::http
