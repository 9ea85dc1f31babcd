// `rerankd bench` and `rerankd tune` as a user runs them: the smoke experiment end to end on
// the tiny model, its files, and re-rendering from a recorded results file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/test_env.h"

namespace rerankd {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class BenchCli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = rerankd::testing::make_temp_dir("bench-cli"); }
  void TearDown() override { fs::remove_all(dir_); }

  static rerankd::testing::ProcessResult rerankd(std::vector<std::string> args) {
    args.insert(args.begin(), rerankd::testing::rerankd_binary().string());
    return rerankd::testing::run_process(args);
  }

  static std::string smoke_yaml() {
    return (fs::path(RERANKD_SOURCE_DIR) / "experiments" / "smoke.yaml").string();
  }

  fs::path dir_;
};

TEST_F(BenchCli, SmokeExperimentWritesResultsReportPlotsAndSummary) {
  const auto out = dir_ / "out";
  const auto run =
      rerankd({"bench", smoke_yaml(), "--model", rerankd::testing::tiny_model_dir().string(),
               "--out", out.string(), "--data-dir", rerankd::testing::data_dir().string()});
  ASSERT_EQ(run.exit_status, 0) << run.stderr_text;
  for (const char* file : {"smoke/results.json", "smoke/results.csv", "smoke/report.md",
                           "smoke/throughput.png", "smoke/latency.png", "summary.md"}) {
    EXPECT_TRUE(fs::is_regular_file(out / file)) << file;
  }
  simdjson::dom::parser parser;
  const auto results = parser.load((out / "smoke" / "results.json").string());
  ASSERT_EQ(results.error(), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(results["schema"]), "rerankd-bench/1");
  const simdjson::dom::array points = results["points"];
  ASSERT_EQ(points.size(), 2u);  // max_batch_size 2 and 4
  for (const auto point : points) {
    EXPECT_EQ(std::string_view(point["status"]), "ok");
    EXPECT_EQ(int64_t(point["requests"]), 4);
    EXPECT_EQ(int64_t(point["errors"]), 0);
    EXPECT_EQ(int64_t(point["pairs"]), 16);  // 4 requests x 4 documents
    EXPECT_GT(double(point["pairs_per_s"]), 0.0);
    EXPECT_GT(double(point["mean_batch_size"]), 0.0);
  }
  EXPECT_THAT(read_text(out / "smoke" / "report.md"), HasSubstr("Throughput (p/s)"));
  EXPECT_THAT(read_text(out / "summary.md"), HasSubstr("smoke"));
  const std::string png = read_text(out / "smoke" / "throughput.png");
  ASSERT_GE(png.size(), 8u);
  EXPECT_EQ(png.substr(1, 3), "PNG");

  // The same reports again from the recorded file, without running anything.
  const auto again = dir_ / "again";
  const auto rerender =
      rerankd({"bench", "--from-results", (out / "smoke" / "results.json").string(), "--out",
               again.string()});
  ASSERT_EQ(rerender.exit_status, 0) << rerender.stderr_text;
  EXPECT_EQ(read_text(again / "smoke" / "report.md"), read_text(out / "smoke" / "report.md"));
}

// load.repeats runs each point's load several times: the point is the median run and lists
// every run's pairs/s, and the report says so.
// An XLM-R model through the harness, in process and as pre-tokenized batches of long
// documents (passages joined, truncated to the model's own limit: model.max_length 0).
TEST_F(BenchCli, XlmRobertaModelRunsInProcessAndModelOnlyWithLongDocuments) {
  const auto model = (rerankd::testing::test_models_dir() / "xlmr-random").string();
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{},
        std::vector<std::string>{"--set", "target=model_only", "--set",
                                 "workload.passages_per_document=12"}}) {
    const auto out = dir_ / ("out" + std::to_string(extra.size()));
    std::vector<std::string> args = {
        "bench", smoke_yaml(), "--model",    model,
        "--out", out.string(), "--data-dir", rerankd::testing::data_dir().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto run = rerankd(args);
    ASSERT_EQ(run.exit_status, 0) << run.stderr_text;
    simdjson::dom::parser parser;
    const auto results = parser.load((out / "smoke" / "results.json").string());
    ASSERT_EQ(results.error(), simdjson::SUCCESS);
    const simdjson::dom::array points = results["points"];
    ASSERT_EQ(points.size(), 2u);
    for (const auto point : points) {
      EXPECT_EQ(std::string_view(point["status"]), "ok");
      EXPECT_EQ(int64_t(point["errors"]), 0);
      EXPECT_EQ(int64_t(point["pairs"]), 16);
    }
  }
}

TEST_F(BenchCli, RepeatsReportTheMedianRunAndEveryRunsThroughput) {
  const auto out = dir_ / "out";
  const auto run =
      rerankd({"bench", smoke_yaml(), "--model", rerankd::testing::tiny_model_dir().string(),
               "--out", out.string(), "--data-dir", rerankd::testing::data_dir().string(), "--set",
               "load.repeats=3"});
  ASSERT_EQ(run.exit_status, 0) << run.stderr_text;
  simdjson::dom::parser parser;
  const auto results = parser.load((out / "smoke" / "results.json").string());
  ASSERT_EQ(results.error(), simdjson::SUCCESS);
  for (const auto point : simdjson::dom::array(results["points"])) {
    std::vector<double> runs;
    for (const auto value : simdjson::dom::array(point["repeat_pairs_per_s"])) {
      runs.push_back(double(value));
    }
    ASSERT_EQ(runs.size(), 3u);
    std::sort(runs.begin(), runs.end());
    EXPECT_EQ(double(point["pairs_per_s"]), runs[1]);
    EXPECT_EQ(int64_t(point["requests"]), 4);  // the median run's own counts
  }
  EXPECT_THAT(read_text(out / "smoke" / "report.md"), HasSubstr("median of 3 runs ("));
}

TEST_F(BenchCli, ABackendThisBuildLacksIsReportedAsNotBuilt) {
  const auto out = dir_ / "out";
  const auto run =
      rerankd({"bench", smoke_yaml(), "--model", rerankd::testing::tiny_model_dir().string(),
               "--out", out.string(), "--data-dir", rerankd::testing::data_dir().string(), "--set",
               "model.backend=no-such-backend"});
  ASSERT_EQ(run.exit_status, 0) << run.stderr_text;
  const std::string results = read_text(out / "smoke" / "results.json");
  EXPECT_THAT(results, HasSubstr("\"not_built\""));
  EXPECT_THAT(results, HasSubstr("no-such-backend"));
}

TEST_F(BenchCli, ABadExperimentFileNamesTheKey) {
  const auto file = dir_ / "bad.yaml";
  std::ofstream(file) << "name: bad\nsweep:\n  batching.max_batch_sise: [1]\n";
  const auto run = rerankd({"bench", file.string(), "--out", (dir_ / "out").string()});
  EXPECT_NE(run.exit_status, 0);
  EXPECT_THAT(run.stderr_text, HasSubstr("bad.yaml:3: sweep.batching.max_batch_sise: unknown key"));
}

TEST_F(BenchCli, TuneWritesAConfigThatServeAccepts) {
  const auto tuned = dir_ / "tuned.yaml";
  const auto run =
      rerankd({"tune", "--model", rerankd::testing::tiny_model_dir().string(), "--slo-p50-ms",
               "100000", "--documents", "2", "--warmup-s", "0", "--duration-s", "0.3",
               "--max-batch-size", "8", "--max-concurrency", "1", "--out", tuned.string(),
               "--data-dir", rerankd::testing::data_dir().string()});
  ASSERT_EQ(run.exit_status, 0) << run.stderr_text;
  const auto printed = rerankd({"serve", "--config", tuned.string(), "--print-config"});
  ASSERT_EQ(printed.exit_status, 0) << printed.stderr_text;
  EXPECT_THAT(read_text(tuned), HasSubstr("# batch size:"));
  EXPECT_THAT(printed.stdout_text, HasSubstr("max_batch_size: 8"));
}

}  // namespace
}  // namespace rerankd
