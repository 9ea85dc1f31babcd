// What clients can make `rerankd serve` hold in memory (issue 19): measured as the growth of
// the real process's resident set (VmHWM, its peak, against VmRSS before) while many large
// bodies arrive at once. The bounds are memory, not time.
#include <gtest/gtest.h>

#include <barrier>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"
#include "support/test_env.h"

namespace rerankd {
namespace {

using rerankd::testing::ClientResponse;
using rerankd::testing::HttpClient;
using rerankd::testing::ServerProcess;

constexpr std::int64_t kMiB = 1 << 20;

// A field of /proc/<pid>/status in bytes (VmRSS, VmHWM), or -1.
std::int64_t status_bytes(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1)) * 1024;
  }
  return -1;
}

std::string header_for(std::size_t content_length, const std::string& extra = {}) {
  return "POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extra +
         "Content-Length: " + std::to_string(content_length) + "\r\n\r\n";
}

// A valid /score body of `size` bytes: trailing white space is allowed JSON.
std::string body_of_size(std::size_t size) {
  std::string body = R"({"pairs":[["q","a"]]})";
  body.resize(size, ' ');
  return body;
}

TEST(ServeMemoryTest, UnauthenticatedBodiesAreNotHeld) {
  // The hostile test: with an API key set, 50 unauthenticated 8 MiB bodies added 410 MB to the
  // server before any 401. The key is now checked from the header.
  ServerProcess server({"--model", rerankd::testing::tiny_model_dir().string(), "--server.api_key",
                        "s3cret", "--server.access_log", "false"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  const std::int64_t before = status_bytes(server.pid(), "VmRSS");
  ASSERT_GT(before, 0);
  constexpr int kClients = 50;
  const std::string body = body_of_size(8 * kMiB - 1);
  std::vector<int> statuses(kClients, 0);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      HttpClient client(server.port());
      client.send_raw(header_for(body.size()) + body);  // the server may stop reading: fine
      statuses[i] = client.read_response().status;
    });
  }
  for (auto& thread : clients) thread.join();
  const std::int64_t peak = status_bytes(server.pid(), "VmHWM");
  for (int i = 0; i < kClients; ++i) EXPECT_EQ(statuses[i], 401) << i;
  EXPECT_LT(peak - before, 64 * kMiB) << "before " << before << ", peak " << peak;
}

TEST(ServeMemoryTest, BodiesInFlightAreBoundedByMaxBufferedBodyBytes) {
  // 40 bodies of 8 MiB at once (320 MiB) against a bound of 64 MiB: those past it are told
  // 503 from their header, the others are held, and the peak stays near the bound.
  ServerProcess server({"--model", rerankd::testing::tiny_model_dir().string(),
                        "--server.max_buffered_body_bytes", std::to_string(64 * kMiB),
                        "--server.access_log", "false"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  ASSERT_EQ(HttpClient(server.port()).post("/score", body_of_size(64)).status, 200);  // warm
  const std::int64_t before = status_bytes(server.pid(), "VmRSS");
  ASSERT_GT(before, 0);
  constexpr int kClients = 40;
  const std::string body = body_of_size(8 * kMiB - 1);
  std::vector<int> statuses(kClients, 0);
  std::int64_t peak = 0;
  std::barrier all_sent(kClients + 1);
  std::barrier measured(kClients + 1);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      HttpClient client(server.port());
      // All but the last byte: a held body stays in the server until the client finishes it.
      client.send_raw(header_for(body.size()) + body.substr(0, body.size() - 1));
      all_sent.arrive_and_wait();
      measured.arrive_and_wait();
      client.send_raw(body.substr(body.size() - 1));
      statuses[i] = client.read_response().status;
    });
  }
  all_sent.arrive_and_wait();
  peak = status_bytes(server.pid(), "VmHWM");
  measured.arrive_and_wait();
  for (auto& thread : clients) thread.join();
  int scored = 0;
  int refused = 0;
  for (int status : statuses) {
    scored += status == 200;
    refused += status == 503;
  }
  EXPECT_EQ(scored + refused, kClients);
  EXPECT_GE(scored, 1);
  EXPECT_GE(refused, kClients - 8);  // 64 MiB holds at most 8 bodies of 8 MiB
  EXPECT_LT(peak - before, (64 + 48) * kMiB) << "before " << before << ", peak " << peak;
  // And what was held is given back to the system, not kept by the allocator.
  const std::int64_t after = status_bytes(server.pid(), "VmRSS");
  EXPECT_LT(after - before, 48 * kMiB) << "before " << before << ", after " << after;
}

TEST(ServeMemoryTest, TheBackendsActivationMemoryIsAMetric) {
  // The soak's RSS grew in steps; this gauge shows how much of it is the backends' workspaces.
  ServerProcess server({"--model", rerankd::testing::tiny_model_dir().string(),
                        "--server.access_log", "false", "--model.backend", "cpu"});
  ASSERT_TRUE(server.started()) << server.stderr_text();
  ASSERT_EQ(HttpClient(server.port()).post("/score", body_of_size(64)).status, 200);
  const auto metrics = HttpClient(server.port()).get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  const std::string name = "rerankd_backend_activation_bytes ";
  const auto at = metrics.body.find("\n" + name);
  ASSERT_NE(at, std::string::npos) << metrics.body;
  EXPECT_GT(std::stoll(metrics.body.substr(at + 1 + name.size())), 0);
}

}  // namespace
}  // namespace rerankd
