// The tuner's search on recorded data: a fake measurement with a known throughput and latency
// curve, so the choice at each step can be checked without running a model.
#include "bench/tuner.h"

#include <gtest/gtest.h>

#include <map>

namespace rerankd::bench {
namespace {

// Throughput grows with batch size until 64, then flattens; concurrency 2 helps 20%, more
// does not; p50 grows with batch x concurrency. Timeout 0 is best.
Result<ResultPoint> recorded(const RunSettings& s, std::vector<RunSettings>* seen) {
  seen->push_back(s);
  const int batch = s.config.batching.max_batch_size;
  const int concurrency = s.config.server.max_concurrency;
  ResultPoint point;
  point.label = std::to_string(batch) + "/" + std::to_string(concurrency);
  point.pairs_per_s = 10.0 * std::min(batch, 64) * (concurrency >= 2 ? 1.2 : 1.0) -
                      s.config.batching.timeout_ms * 0.1;
  point.latency_ms.p50 = 2.0 * batch * concurrency + s.config.batching.timeout_ms;
  point.requests = 100;
  return point;
}

TuneOptions options(double slo) {
  TuneOptions o;
  o.slo_p50_ms = slo;
  o.max_batch_size_limit = 256;
  o.max_concurrency_limit = 4;
  o.base.workload.documents = 16;
  return o;
}

TEST(Tuner, ChoosesTheFastestConfigUnderTheTarget) {
  std::vector<RunSettings> seen;
  const auto outcome =
      tune(options(1000), [&](const RunSettings& s) { return recorded(s, &seen); });
  ASSERT_TRUE(outcome.ok()) << outcome.status().to_string();
  EXPECT_EQ(outcome->config.batching.max_batch_size, 64);
  EXPECT_EQ(outcome->config.server.max_concurrency, 2);
  EXPECT_EQ(outcome->config.batching.timeout_ms, 0);
  ASSERT_EQ(outcome->steps.size(), 3u);
  // Batch sizes stop after 128 brought less than 3%: 256 is never measured.
  EXPECT_EQ(outcome->steps[0].points.size(), 5u);  // 8 16 32 64 128
}

TEST(Tuner, ATightTargetPicksSmallerBatches) {
  std::vector<RunSettings> seen;
  const auto outcome = tune(options(120), [&](const RunSettings& s) { return recorded(s, &seen); });
  ASSERT_TRUE(outcome.ok()) << outcome.status().to_string();
  // p50 = 2 * batch * concurrency + timeout (50 ms while batch and concurrency are searched)
  // must stay <= 120 ms: batch 64 (178 ms) and concurrency 2 (178 ms) miss it.
  EXPECT_EQ(outcome->config.batching.max_batch_size, 32);
  EXPECT_EQ(outcome->config.server.max_concurrency, 1);
  EXPECT_EQ(outcome->config.batching.timeout_ms, 0);
}

TEST(Tuner, FailsWhenNothingMeetsTheTarget) {
  std::vector<RunSettings> seen;
  const auto outcome = tune(options(1), [&](const RunSettings& s) { return recorded(s, &seen); });
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("batch size"), std::string::npos);
}

TEST(Tuner, CandidatesLoadEveryWorkerOnce) {
  RunSettings best;
  best.workload.documents = 20;
  best.config.batching.max_batch_size = 64;
  const auto concurrency = candidates_for_step(1, best, options(200));
  ASSERT_EQ(concurrency.size(), 4u);
  EXPECT_EQ(concurrency[2].config.server.max_concurrency, 3);
  EXPECT_EQ(concurrency[2].load.clients, 10);  // ceil(64 * 3 / 20)
  EXPECT_EQ(clients_to_fill(concurrency[0]), 4);
}

TEST(Tuner, WritesAConfigServeReads) {
  std::vector<RunSettings> seen;
  const auto o = options(1000);
  const auto outcome = tune(o, [&](const RunSettings& s) { return recorded(s, &seen); });
  ASSERT_TRUE(outcome.ok());
  MachineInfo machine;
  machine.cpu_model = "Test CPU";
  const std::string yaml = tuned_config_yaml(*outcome, o, machine);
  EXPECT_NE(yaml.find("# batch size:"), std::string::npos) << yaml;
  const auto parsed = config::parse_config_yaml(yaml, "tuned.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_EQ(*parsed, outcome->config);
}

}  // namespace
}  // namespace rerankd::bench
