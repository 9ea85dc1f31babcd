#include "bench/report_markdown.h"

#include <gtest/gtest.h>

#include "bench/results_io.h"

namespace rerankd::bench {
namespace {

// A recorded results.json (numbers from the study's Phase 4 stress test) with a backend that
// was not built on the recording machine.
constexpr const char* kRecorded = R"({
  "schema": "rerankd-bench/1", "experiment": "07_stress", "description": "Multi-client stress",
  "started_at": "2026-01-02T03:04:05Z",
  "machine": {"cpu_model": "Test CPU", "cpu_cores": 8, "cpu_flags": "avx2", "gpu": "",
              "os": "Linux", "build_type": "Release", "git_commit": "abc1234",
              "rerankd_version": "0.4.0"},
  "x_key": "load.clients", "latency_target_p50_ms": 400,
  "points": [
    {"system": "rerankd", "params": [["batching.max_batch_size", "32"], ["load.clients", "8"]],
     "status": "ok", "requests": 100, "errors": 0, "pairs_per_s": 654.6, "requests_per_s": 32.7,
     "latency_ms": {"mean": 390, "p50": 384.3, "p90": 400, "p95": 410.25, "p99": 420, "max": 500},
     "mean_batch_size": 31.5},
    {"system": "rerankd", "params": [["batching.max_batch_size", "64"], ["load.clients", "4"]],
     "status": "ok", "requests": 100, "errors": 0, "pairs_per_s": 711.3, "requests_per_s": 35.5,
     "latency_ms": {"mean": 360, "p50": 359.7, "p90": 370, "p95": 380, "p99": 390.5, "max": 400},
     "mean_batch_size": 0},
    {"system": "rerankd", "params": [["batching.max_batch_size", "64"], ["load.clients", "16"]],
     "status": "ok", "requests": 100, "errors": 2, "errors_by_type": {"timeout": 2},
     "pairs_per_s": 701.9, "latency_ms": {"p50": 1404.2}},
    {"system": "rerankd", "params": [["batching.max_batch_size", "64"], ["load.clients", "24"]],
     "status": "not_built", "note": "backend cuda was not built"}
  ]
})";

ExperimentResult recorded() {
  auto r = parse_results_json(kRecorded, "recorded");
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return *r;
}

TEST(ReportMarkdown, TableHeaderInTheStudysShape) {
  const std::string md = render_report(recorded(), {});
  EXPECT_NE(md.find("| Batch | Clients | Throughput (p/s) | Latency (ms) | p95 (ms) | p99 (ms) | "
                    "Errors | Mean batch | Notes |\n"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("System"), std::string::npos);  // one system: no System column
}

TEST(ReportMarkdown, RowsCarryTheRecordedNumbers) {
  const std::string md = render_report(recorded(), {});
  EXPECT_NE(md.find("| 32 | 8 | 654.6 | 384.3 | 410.2 | 420.0 | 0 | 31.5 |  |\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 64 | 16 | 701.9 | 1404.2 | 0.00 | 0.00 | 2 | - | timeout: 2 |\n"),
            std::string::npos)
      << md;
}

TEST(ReportMarkdown, RepeatedPointsSayMedianAndRange) {
  ExperimentResult r = recorded();
  r.points[0].repeat_pairs_per_s = {640.25, 654.6, 700.0};
  const std::string md = render_report(r, {});
  EXPECT_NE(md.find("| 654.6 | 384.3 | 410.2 | 420.0 | 0 | 31.5 | median of 3 runs (640.2-700.0 "
                    "p/s) |\n"),
            std::string::npos)
      << md;
}

TEST(ReportMarkdown, SweetSpotRowIsBoldWithAStar) {
  const std::string md = render_report(recorded(), {});
  EXPECT_NE(md.find("| **64** | **4** | **711.3** | **359.7** | **380.0** | **390.5** | **0** | - "
                    "| ⭐ Sweet spot |\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("**Sweet spot**: Batch=64, Clients=4 — highest throughput (711.3 pairs/s) "
                    "with p50 359.7 ms <= 400 ms target."),
            std::string::npos)
      << md;
}

TEST(ReportMarkdown, NotBuiltRowSaysSoInsteadOfNumbers) {
  const std::string md = render_report(recorded(), {});
  EXPECT_NE(md.find("| 64 | 24 | not built | - | - | - | - | - | backend cuda was not built |\n"),
            std::string::npos)
      << md;
}

TEST(ReportMarkdown, HeaderNamesMachineTargetAndLinksPlots) {
  const std::string md = render_report(recorded(), {"throughput.png", "latency.png"});
  EXPECT_EQ(md.rfind("# 07_stress\n\nMulti-client stress\n", 0), 0u) << md;
  EXPECT_NE(md.find("Test CPU (8 logical CPUs; avx2), GPU: none"), std::string::npos) << md;
  EXPECT_NE(md.find("commit abc1234"), std::string::npos);
  EXPECT_NE(md.find("**Latency target**: p50 <= 400.0 ms"), std::string::npos) << md;
  EXPECT_NE(md.find("![throughput.png](throughput.png)\n![latency.png](latency.png)\n"),
            std::string::npos);
}

TEST(ReportMarkdown, SeveralSystemsGetASystemColumnAndNoSweetSpotIsExplained) {
  ExperimentResult r = recorded();
  r.latency_target_p50_ms = 100;
  r.points[1].system = "onnxruntime";
  const std::string md = render_report(r, {});
  EXPECT_NE(md.find("| Batch | Clients | System | Throughput (p/s) |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 64 | 4 | onnxruntime | 711.3 |"), std::string::npos) << md;
  EXPECT_NE(md.find("**No sweet spot**: no point met p50 <= 100 ms; the fastest p50 was 384.3 ms."),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("⭐"), std::string::npos);
}

TEST(ReportMarkdown, DisplayNamesAndCellEscaping) {
  EXPECT_EQ(param_display_name("server.max_concurrency"), "Conc");
  EXPECT_EQ(param_display_name("batching.timeout_ms"), "Timeout (ms)");
  EXPECT_EQ(param_display_name("custom.key"), "custom.key");
  ExperimentResult r = recorded();
  r.points[3].note = "a|b";
  EXPECT_NE(render_report(r, {}).find("a\\|b"), std::string::npos);
}

}  // namespace
}  // namespace rerankd::bench
