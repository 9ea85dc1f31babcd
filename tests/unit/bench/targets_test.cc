// The two real targets against the tiny test model: the in-process engine and a server started
// by launch_server, driven through the same Session interface the load generator uses.
#include <gtest/gtest.h>

#include <cstdlib>

#include "bench/http_target.h"
#include "bench/in_process_target.h"
#include "bench/load_generator.h"
#include "bench/machine_info.h"
#include "bench/model_only_target.h"
#include "bench/server_launcher.h"
#include "engine/serving_engine.h"
#include "support/test_env.h"

namespace rerankd::bench {
namespace {

// Small and quick: the reference backend costs milliseconds a pair even on the tiny model.
config::Config small_config() {
  config::Config config;
  config.model.threads = 1;
  config.batching.max_batch_size = 8;
  config.batching.timeout_ms = 2;
  config.server.max_concurrency = 1;
  config.server.io_threads = 1;
  config.server.tokenizer_threads = 1;
  return config;
}

const BenchRequest kRequest{"what do cats eat",
                            {"cats eat fish and mice", "the stock market fell", "dogs bark"}};
// Not UTF-8: refused by the tokenizer in process and by the JSON parser over HTTP.
const BenchRequest kBadRequest{"what do cats eat", {"broken \xff\xfe text"}};

void expect_ok(const CallOutcome& outcome, std::size_t pairs) {
  EXPECT_TRUE(outcome.ok) << outcome.error_type << ": " << outcome.error;
  EXPECT_EQ(outcome.pairs, pairs);
}

TEST(InProcessTarget, ScoresRequestsAndReportsBatchSize) {
  metrics::Registry registry;
  auto engine = engine::ServingEngine::create(small_config(), testing::tiny_model_dir(), &registry);
  ASSERT_TRUE(engine.ok()) << engine.status().to_string();
  auto target = make_in_process_target(**engine, &registry);
  EXPECT_EQ(target->describe(), "in_process");
  target->reset_batch_stats();
  EXPECT_EQ(target->mean_batch_size(), 0);  // nothing ran since the reset
  auto session = target->open_session();
  ASSERT_TRUE(session.ok());
  expect_ok((*session)->call(kRequest), 3);
  expect_ok((*session)->call(kRequest), 3);
  const double batch = target->mean_batch_size();
  EXPECT_GT(batch, 0);
  EXPECT_LE(batch, 3);

  const CallOutcome bad = (*session)->call(kBadRequest);
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.error_type, "validation") << bad.error;

  (*engine)->shutdown();
  const CallOutcome refused = (*session)->call(kRequest);
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.error_type, "unavailable");
}

TEST(InProcessTarget, WithoutARegistryBatchSizeIsUnknown) {
  auto engine = engine::ServingEngine::create(small_config(), testing::tiny_model_dir(), nullptr);
  ASSERT_TRUE(engine.ok());
  auto target = make_in_process_target(**engine, nullptr);
  target->reset_batch_stats();
  auto session = target->open_session();
  ASSERT_TRUE(session.ok());
  expect_ok((*session)->call(kRequest), 3);
  EXPECT_EQ(target->mean_batch_size(), 0);
  (*engine)->shutdown();
}

class LaunchedServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The test program is not rerankd: point launch_server at the real binary.
    ::setenv("RERANKD_BINARY", testing::rerankd_binary().c_str(), 1);
  }
};

TEST_F(LaunchedServerTest, HttpTargetScoresRequestsAndReportsBatchSize) {
  auto server = launch_server(small_config(), testing::tiny_model_dir());
  ASSERT_TRUE(server.ok()) << server.status().to_string();
  EXPECT_GT((*server)->port(), 0);
  auto target = make_http_target((*server)->url());
  ASSERT_TRUE(target.ok()) << target.status().to_string();
  EXPECT_EQ((*target)->describe(), (*server)->url());
  (*target)->reset_batch_stats();
  auto session = (*target)->open_session();
  ASSERT_TRUE(session.ok());
  expect_ok((*session)->call(kRequest), 3);
  expect_ok((*session)->call(kRequest), 3);  // the same keep-alive connection
  const double batch = (*target)->mean_batch_size();
  EXPECT_GT(batch, 0);
  EXPECT_LE(batch, 3);

  const CallOutcome bad = (*session)->call(kBadRequest);
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.error_type, "Validation") << bad.error;  // /rerank answers in TEI's words
  const CallOutcome empty = (*session)->call(BenchRequest{"a query", {}});
  EXPECT_FALSE(empty.ok);
  EXPECT_EQ(empty.error_type, "Empty") << empty.error;
  expect_ok((*session)->call(kRequest), 3);  // errors leave the session usable
}

TEST_F(LaunchedServerTest, LoadRunOverHttp) {
  auto server = launch_server(small_config(), testing::tiny_model_dir());
  ASSERT_TRUE(server.ok()) << server.status().to_string();
  auto target = make_http_target((*server)->url());
  ASSERT_TRUE(target.ok());
  LoadSpec spec;
  spec.clients = 2;
  spec.warmup_s = 0;
  spec.requests = 6;
  const auto run = run_load(**target, {kRequest}, spec);
  ASSERT_TRUE(run.ok()) << run.status().to_string();
  ASSERT_EQ(run->samples.size(), 6u);
  for (const auto& sample : run->samples) EXPECT_TRUE(sample.ok) << sample.error_type;
  EXPECT_GT(run->mean_batch_size, 0);
}

TEST_F(LaunchedServerTest, FailedStartQuotesTheServerLog) {
  auto server = launch_server(small_config(), "/nonexistent/rerankd-model", 60000);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("exited before listening"), std::string::npos)
      << server.status().message();
  EXPECT_NE(server.status().message().find("rerankd-model"), std::string::npos)
      << server.status().message();
}

// Model only: the workload is tokenized in prepare, each call is one backend batch, and a
// request that was not prepared is refused rather than tokenized in the measured window.
TEST(ModelOnlyTarget, ScoresPreparedRequestsAsOneBatchEach) {
  auto target = make_model_only_target(small_config(), testing::tiny_model_dir());
  ASSERT_TRUE(target.ok()) << target.status().to_string();
  EXPECT_EQ((*target)->describe(), "model_only");
  const std::vector<BenchRequest> workload{kRequest, {"a query", {"one document"}}};
  ASSERT_TRUE((*target)->prepare(workload).ok());
  auto session = (*target)->open_session();
  ASSERT_TRUE(session.ok()) << session.status().to_string();
  (*target)->reset_batch_stats();
  expect_ok((*session)->call(workload[0]), 3);
  expect_ok((*session)->call(workload[1]), 1);
  EXPECT_DOUBLE_EQ((*target)->mean_batch_size(), 2.0);

  const CallOutcome unprepared = (*session)->call(kRequest);  // a copy, not the prepared one
  EXPECT_FALSE(unprepared.ok);
  EXPECT_NE(unprepared.error.find("not prepared"), std::string::npos) << unprepared.error;
}

TEST(ModelOnlyTarget, BadTextFailsInPrepareNamingTheProblem) {
  auto target = make_model_only_target(small_config(), testing::tiny_model_dir());
  ASSERT_TRUE(target.ok()) << target.status().to_string();
  const Status status = (*target)->prepare({kBadRequest});
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("UTF-8"), std::string::npos) << status.to_string();
}

TEST(ModelOnlyTarget, UnknownBackendIsUnimplementedAtOpen) {
  config::Config config = small_config();
  config.model.backend = "no-such-backend";
  auto target = make_model_only_target(config, testing::tiny_model_dir());
  ASSERT_TRUE(target.ok()) << target.status().to_string();
  const auto session = (*target)->open_session();
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), StatusCode::kUnimplemented);
}

TEST(HttpTarget, RejectsUrlsItCannotUse) {
  for (const char* url : {"ftp://127.0.0.1:80", "http://127.0.0.1", "http://127.0.0.1:0",
                          "http://127.0.0.1:99999", "http://127.0.0.1:8080/rerank", "http://:80"}) {
    EXPECT_FALSE(make_http_target(url).ok()) << url;
  }
  EXPECT_TRUE(make_http_target("http://localhost:8080").ok());
}

TEST(HttpTarget, NoServerIsATransportError) {
  auto target = make_http_target("http://127.0.0.1:1");  // nothing listens on port 1
  ASSERT_TRUE(target.ok());
  auto session = (*target)->open_session();
  ASSERT_TRUE(session.ok());
  const CallOutcome outcome = (*session)->call(kRequest);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error_type, "transport");
  EXPECT_EQ((*target)->mean_batch_size(), 0);
}

TEST(MachineInfo, DescribesThisMachine) {
  const MachineInfo info = collect_machine_info();
  EXPECT_GT(info.cpu_cores, 0);
  EXPECT_FALSE(info.cpu_model.empty());
  EXPECT_FALSE(info.os.empty());
  EXPECT_FALSE(info.build_type.empty());
  EXPECT_FALSE(info.rerankd_version.empty());
}

TEST(RerankdBinary, EnvironmentOverridesTheOwnExecutable) {
  ::setenv("RERANKD_BINARY", "/some/where/rerankd", 1);
  EXPECT_EQ(rerankd_binary(), "/some/where/rerankd");
  ::unsetenv("RERANKD_BINARY");
  EXPECT_TRUE(rerankd_binary().is_absolute());
  EXPECT_EQ(rerankd_binary(), "/proc/self/exe");  // the running binary, even once replaced
}

}  // namespace
}  // namespace rerankd::bench
