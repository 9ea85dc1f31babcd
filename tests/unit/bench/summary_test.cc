#include "bench/summary.h"

#include <gtest/gtest.h>

namespace rerankd::bench {
namespace {

ResultPoint point(std::string system, std::string batch, double pairs_per_s, double p50) {
  ResultPoint p;
  p.system = std::move(system);
  p.params = {{"batching.max_batch_size", std::move(batch)}};
  p.pairs_per_s = pairs_per_s;
  p.latency_ms.p50 = p50;
  p.requests = 20;
  return p;
}

ExperimentResult with_peers() {
  ExperimentResult r;
  r.experiment = "05_batch";
  r.x_key = "batching.max_batch_size";
  r.latency_target_p50_ms = 200;
  r.points = {point("rerankd", "64", 600, 150), point("rerankd", "8", 300, 40),
              point("onnxruntime", "8", 200, 60), point("onnxruntime", "64", 480, 190),
              point("transformers-eager", "64", 150, 400)};
  ResultPoint missing;
  missing.system = "transformers-compile";
  missing.status = PointStatus::kNotBuilt;
  r.points.push_back(missing);
  return r;
}

TEST(Summary, OneRowPerExperimentFromTheData) {
  ExperimentResult plain;
  plain.experiment = "06_conc";
  plain.points = {point("rerankd", "32", 100, 10)};
  plain.points[0].params = {{"server.max_concurrency", "2"}};
  const std::string md = render_summary({with_peers(), plain}, {"05_batch.md", "06_conc.md"});
  EXPECT_NE(md.find("| [05_batch](05_batch.md) | 600.0 | Batch=64 | 200.0 | Batch=64 | 600.0 | "
                    "150.0 | transformers-compile not built |\n"),
            std::string::npos)
      << md;
  EXPECT_NE(
      md.find("| [06_conc](06_conc.md) | 100.0 | Conc=2 | none | Conc=2 | 100.0 | 10.0 | - |"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("- **05_batch**: Batch=64 — highest throughput (600.0 pairs/s)"),
            std::string::npos)
      << md;
}

TEST(Summary, SideBySideRatiosAreComputed) {
  const std::string md = render_summary({with_peers()}, {});
  EXPECT_NE(
      md.find("| Batch | rerankd | onnxruntime | rerankd / onnxruntime | transformers-eager | "
              "rerankd / transformers-eager | transformers-compile | rerankd / "
              "transformers-compile |\n"),
      std::string::npos)
      << md;
  // x values in numeric order: 8 before 64; 300/200 = 1.50, 600/480 = 1.25, 600/150 = 4.00.
  EXPECT_NE(md.find("| 8 | 300.0 | 200.0 | 1.50x | - | - | - | - |\n| 64 | 600.0 | 480.0 | 1.25x | "
                    "150.0 | 4.00x | - | - |\n"),
            std::string::npos)
      << md;
}

TEST(Summary, RatiosFollowTheNumbers) {
  ExperimentResult r = with_peers();
  r.points[3].pairs_per_s = 1200;  // the peer is now twice as fast at batch 64
  const std::string md = render_summary({r}, {});
  EXPECT_NE(md.find("| 64 | 600.0 | 1200.0 | 0.50x |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 1200.0 | onnxruntime Batch=64 |"), std::string::npos) << md;
}

TEST(Summary, NoSideBySideWithoutPeers) {
  ExperimentResult r = with_peers();
  r.points.resize(2);
  const std::string md = render_summary({r}, {});
  EXPECT_EQ(md.find("side by side"), std::string::npos) << md;
}

}  // namespace
}  // namespace rerankd::bench
