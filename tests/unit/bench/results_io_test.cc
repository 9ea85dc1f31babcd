#include "bench/results_io.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_env.h"

namespace rerankd::bench {
namespace {

ExperimentResult sample() {
  ExperimentResult r;
  r.experiment = "05_batch_size";
  r.description = "Batch sweep, \"quoted\"\nand two lines";
  r.started_at = "2026-01-02T03:04:05Z";
  r.machine = {"AMD EPYC 9654", 16,        "avx2 avx512f", "",
               "Linux 6.1",     "Release", "abc123+dirty", "0.4.0"};
  r.x_key = "batching.max_batch_size";
  r.latency_target_p50_ms = 200;
  ResultPoint p;
  p.label = "reference fp32";
  p.params = {{"batching.max_batch_size", "64"}, {"load.clients", "4"}};
  p.settings = {{"model.backend", "reference"}, {"workload.documents", "20"}};
  p.requests = 120;
  p.errors = 2;
  p.errors_by_type = {{"timeout", 2}};
  p.pairs = 2360;
  p.duration_s = 3.5;
  p.pairs_per_s = 674.2857142857143;
  p.requests_per_s = 33.714285714285715;
  p.latency_ms = {101.25, 99.5, 130.0, 140.125, 155.0, 170.75};
  p.mean_batch_size = 48.5;
  p.repeat_pairs_per_s = {674.2857142857143, 650.5, 700.25};
  r.points.push_back(p);
  ResultPoint q;
  q.system = "onnxruntime";
  q.status = PointStatus::kNotBuilt;
  q.note = "onnxruntime, not installed";
  r.points.push_back(q);
  return r;
}

TEST(ResultsIo, JsonRoundTripKeepsEveryField) {
  const ExperimentResult r = sample();
  const auto back = parse_results_json(to_json(r), "mem");
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->experiment, r.experiment);
  EXPECT_EQ(back->description, r.description);
  EXPECT_EQ(back->started_at, r.started_at);
  EXPECT_EQ(back->machine.cpu_model, "AMD EPYC 9654");
  EXPECT_EQ(back->machine.cpu_cores, 16);
  EXPECT_EQ(back->machine.git_commit, "abc123+dirty");
  EXPECT_EQ(back->machine.rerankd_version, "0.4.0");
  EXPECT_EQ(back->x_key, r.x_key);
  EXPECT_EQ(back->latency_target_p50_ms, 200);
  ASSERT_EQ(back->points.size(), 2u);
  const ResultPoint& p = back->points[0];
  EXPECT_EQ(p.system, "rerankd");
  EXPECT_EQ(p.label, "reference fp32");
  EXPECT_EQ(p.params, r.points[0].params);  // order kept
  EXPECT_EQ(p.settings, r.points[0].settings);
  EXPECT_EQ(p.status, PointStatus::kOk);
  EXPECT_EQ(p.requests, 120);
  EXPECT_EQ(p.errors, 2);
  EXPECT_EQ(p.errors_by_type.at("timeout"), 2);
  EXPECT_EQ(p.pairs, 2360);
  EXPECT_EQ(p.pairs_per_s, r.points[0].pairs_per_s);  // exact: shortest round-trip form
  EXPECT_EQ(p.requests_per_s, r.points[0].requests_per_s);
  EXPECT_EQ(p.latency_ms.mean, 101.25);
  EXPECT_EQ(p.latency_ms.p50, 99.5);
  EXPECT_EQ(p.latency_ms.p95, 140.125);
  EXPECT_EQ(p.latency_ms.max, 170.75);
  EXPECT_EQ(p.mean_batch_size, 48.5);
  EXPECT_EQ(p.repeat_pairs_per_s, r.points[0].repeat_pairs_per_s);
  EXPECT_TRUE(back->points[1].repeat_pairs_per_s.empty());  // not written for one run
  EXPECT_EQ(to_json(r).find("repeat_pairs_per_s", to_json(r).find("onnxruntime")),
            std::string::npos);
  EXPECT_EQ(back->points[1].system, "onnxruntime");
  EXPECT_EQ(back->points[1].status, PointStatus::kNotBuilt);
  EXPECT_EQ(back->points[1].note, "onnxruntime, not installed");
  EXPECT_NE(to_json(r).find("\"status\":\"not_built\""), std::string::npos);
}

TEST(ResultsIo, ErrorNamesSourceAndFieldPath) {
  std::string json = to_json(sample());
  const std::string from = "\"p50\":99.5";
  json.replace(json.find(from), from.size(), "\"p50\":\"fast\"");
  const auto back = parse_results_json(json, "results.json");
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(
      back.status().message().find("results.json: points[0].latency_ms.p50: expected a number"),
      std::string::npos)
      << back.status().message();
}

TEST(ResultsIo, MissingRequiredFieldsAndBadValuesAreNamed) {
  const auto no_points =
      parse_results_json(R"({"schema":"rerankd-bench/1","experiment":"x"})", "a");
  ASSERT_FALSE(no_points.ok());
  EXPECT_NE(no_points.status().message().find("a: points: missing required field"),
            std::string::npos);
  const auto bad_schema =
      parse_results_json(R"({"schema":"other/2","experiment":"x","points":[]})", "b");
  ASSERT_FALSE(bad_schema.ok());
  EXPECT_NE(bad_schema.status().message().find("b: schema"), std::string::npos);
  const auto bad_status = parse_results_json(
      R"({"schema":"rerankd-bench/1","experiment":"x","points":[{"system":"s","status":"meh"}]})",
      "c");
  ASSERT_FALSE(bad_status.ok());
  EXPECT_NE(bad_status.status().message().find("c: points[0].status"), std::string::npos);
  const auto no_throughput = parse_results_json(
      R"({"schema":"rerankd-bench/1","experiment":"x","points":[{"system":"s","status":"ok"}]})",
      "d");
  ASSERT_FALSE(no_throughput.ok());
  EXPECT_NE(no_throughput.status().message().find("d: points[0].pairs_per_s"), std::string::npos);
  const auto bad_repeat = parse_results_json(
      R"({"schema":"rerankd-bench/1","experiment":"x","points":[{"system":"s","status":"failed",
          "repeat_pairs_per_s":[1.5,"2"]}]})",
      "r");
  ASSERT_FALSE(bad_repeat.ok());
  EXPECT_NE(bad_repeat.status().message().find("r: points[0].repeat_pairs_per_s[1]: expected a "
                                               "number"),
            std::string::npos)
      << bad_repeat.status().message();
  const auto bad_params = parse_results_json(
      R"({"schema":"rerankd-bench/1","experiment":"x","points":[{"system":"s","status":"failed",
          "params":[["a","1"],["b",2]]}]})",
      "e");
  ASSERT_FALSE(bad_params.ok());
  EXPECT_NE(bad_params.status().message().find("e: points[0].params[1]"), std::string::npos);
  EXPECT_FALSE(parse_results_json("{not json", "f").ok());
}

TEST(ResultsIo, UnknownFieldsAreIgnoredAndOptionalOnesDefault) {
  const auto r =
      parse_results_json(R"({"schema":"rerankd-bench/1","experiment":"peer","future":{"x":1},
      "points":[{"system":"transformers-eager","status":"ok","pairs_per_s":300.5,"gpu_mem":12,
                 "latency_ms":{"p50":42,"p999":80},"requests":7.0}]})",
                         "peer.json");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->points.size(), 1u);
  EXPECT_EQ(r->points[0].pairs_per_s, 300.5);
  EXPECT_EQ(r->points[0].latency_ms.p50, 42);
  EXPECT_EQ(r->points[0].requests, 7);
  EXPECT_EQ(r->points[0].errors, 0);
  EXPECT_TRUE(r->points[0].params.empty());
}

TEST(ResultsIo, LoadResultsFileNamesTheFile) {
  const auto dir = rerankd::testing::make_temp_dir("results_io");
  const auto path = dir / "results.json";
  std::ofstream(path) << to_json(sample());
  const auto loaded = load_results_file(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->points.size(), 2u);
  const auto missing = load_results_file(dir / "nope.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope.json"), std::string::npos);
}

TEST(ResultsIo, CsvQuotesPerRfc4180) {
  ExperimentResult r = sample();
  r.points[0].note = "slow, \"cold\" cache";
  const std::string csv = to_csv(r);
  const std::string header = csv.substr(0, csv.find("\r\n"));
  EXPECT_EQ(header,
            "system,label,status,batching.max_batch_size,load.clients,requests,errors,pairs_per_s,"
            "requests_per_s,p50_ms,p90_ms,p95_ms,p99_ms,max_ms,mean_ms,mean_batch_size,note");
  EXPECT_NE(csv.find("rerankd,reference fp32,ok,64,4,120,2,674.2857142857143,"), std::string::npos)
      << csv;
  EXPECT_NE(csv.find(",\"slow, \"\"cold\"\" cache\"\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("onnxruntime,,not_built,,,0,0,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"onnxruntime, not installed\"\r\n"), std::string::npos) << csv;
}

TEST(ResultsIo, MergeAppendsPeerPointsAndKeepsOurNames) {
  ExperimentResult ours = sample();
  ExperimentResult peer;
  peer.experiment = "peer-run";
  peer.machine.cpu_model = "other";
  ResultPoint p;
  p.system = "transformers-sdpa";
  peer.points.push_back(p);
  merge_points(ours, peer);
  ASSERT_EQ(ours.points.size(), 3u);
  EXPECT_EQ(ours.points[2].system, "transformers-sdpa");
  EXPECT_EQ(ours.experiment, "05_batch_size");
  EXPECT_EQ(ours.machine.cpu_model, "AMD EPYC 9654");
}

}  // namespace
}  // namespace rerankd::bench
