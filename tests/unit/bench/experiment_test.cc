// Experiment files: every key routed to the right setting, errors that name the line and key,
// and the shipped experiments/*.yaml all parse and expand.
#include "bench/experiment.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "bench/sweep.h"

namespace rerankd::bench {
namespace {

constexpr const char* kExperiment = R"(name: 05_batch_size
description: a batch sweep
target: server
model: some/model
config:
  model: {backend: reference, device: [0, 1]}
  batching: {timeout_ms: 0}
  server: {max_concurrency: 1}
workload: {kind: synthetic, documents: 8, mean_tokens: 40}
load: {mode: open, clients: 3, rate_rps: 12.5, warmup_s: 0.5, requests: 7, repeats: 3}
sweep:
  batching.max_batch_size: [8, 16]
link:
  workload.documents: batching.max_batch_size
report: {x: batching.max_batch_size, latency_target_p50_ms: 150}
peers:
  - {script: tools/peers/onnxruntime_peer.py, args: [--dtype, int8]}
)";

TEST(Experiment, ReadsEveryPart) {
  const auto experiment = parse_experiment(kExperiment, "e.yaml");
  ASSERT_TRUE(experiment.ok()) << experiment.status().to_string();
  EXPECT_EQ(experiment->name, "05_batch_size");
  EXPECT_EQ(experiment->model, "some/model");
  EXPECT_EQ(experiment->base.target, "server");
  EXPECT_EQ(experiment->base.config.model.device, (std::vector<int>{0, 1}));
  EXPECT_EQ(experiment->base.config.batching.timeout_ms, 0);
  EXPECT_EQ(experiment->base.config.server.max_concurrency, 1);
  EXPECT_EQ(experiment->base.workload.kind, "synthetic");
  EXPECT_EQ(experiment->base.workload.mean_tokens, 40);
  EXPECT_EQ(experiment->base.load.mode, "open");
  EXPECT_DOUBLE_EQ(experiment->base.load.rate_rps, 12.5);
  EXPECT_EQ(experiment->base.load.requests, 7);
  EXPECT_EQ(experiment->base.load.repeats, 3);
  ASSERT_EQ(experiment->sweep.size(), 1u);
  EXPECT_EQ(experiment->sweep[0].values, (std::vector<std::string>{"8", "16"}));
  EXPECT_EQ(experiment->x_key, "batching.max_batch_size");
  EXPECT_DOUBLE_EQ(experiment->latency_target_p50_ms, 150);
  ASSERT_EQ(experiment->peers.size(), 1u);
  EXPECT_EQ(experiment->peers[0].args, (std::vector<std::string>{"--dtype", "int8"}));
}

void expect_error(const std::string& yaml, const std::string& expected) {
  const auto experiment = parse_experiment(yaml, "e.yaml");
  ASSERT_FALSE(experiment.ok()) << yaml;
  EXPECT_NE(experiment.status().message().find(expected), std::string::npos)
      << experiment.status().message();
}

TEST(Experiment, ErrorsNameTheLineAndTheKey) {
  expect_error("name: x\nsweep:\n  batching.max_batch_sise: [1]\n",
               "e.yaml:3: sweep.batching.max_batch_sise: unknown key");
  expect_error("name: x\nconfig:\n  batching: {timeout_ms: soon}\n", "batching.timeout_ms");
  expect_error("name: x\nload: {mode: sideways}\n", "load.mode: expected one of closed, open");
  expect_error("name: x\nload: {clients: 0}\n", "load.clients: must be positive");
  expect_error("name: x\nload: {repeats: 0}\n", "load.repeats: must be positive");
  expect_error("name: x\nload: {mode: open}\n", "load.rate_rps: must be positive");
  expect_error("name: x\ntarget: ftp://host\n",
               "expected in_process, server, model_only or http://");
  expect_error("name: x\nreport: {x: load.clients}\n", "report.x: 'load.clients' is not a swept");
  expect_error("name: x\nsweep: {load.clients: [1]}\nlink: {server.max_concurrency: load.rate}\n",
               "link.server.max_concurrency: 'load.rate' is not a swept key");
  expect_error("description: no name\n", "name: missing");
  expect_error("name: x\nsurprise: 1\n", "e.yaml:2: surprise: unknown key");
  expect_error("name: [unclosed\n", "e.yaml:");
}

TEST(Experiment, ShippedExperimentsParseAndExpand) {
  const std::filesystem::path dir = std::filesystem::path(RERANKD_SOURCE_DIR) / "experiments";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    const auto experiment = load_experiment_file(entry.path());
    ASSERT_TRUE(experiment.ok()) << experiment.status().to_string();
    EXPECT_EQ(experiment->name + ".yaml", entry.path().filename().string());
    const auto grid = expand_grid(*experiment);
    ASSERT_TRUE(grid.ok()) << grid.status().to_string();
    EXPECT_FALSE(grid->empty());
  }
  EXPECT_GE(files, 9);  // 01..08 and smoke
}

}  // namespace
}  // namespace rerankd::bench
