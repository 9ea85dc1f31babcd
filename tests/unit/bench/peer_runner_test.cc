// Peers through a stand-in script (sh instead of python): the command line the harness
// promises in tools/peers/README.md, points read back, failures reported, and identical peer
// runs done once.
#include "bench/peer_runner.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_env.h"

namespace rerankd::bench {
namespace {

namespace fs = std::filesystem;

// Writes one ok point to the file after --out and counts its runs in <dir>/runs.
constexpr const char* kFakePeer = R"(#!/bin/sh
out=""; batch=""
while [ $# -gt 0 ]; do
  case "$1" in --out) out="$2"; shift;; --batch-size) batch="$2"; shift;; esac; shift
done
echo run >> "$(dirname "$0")/runs"
cat > "$out" <<JSON
{"schema": "rerankd-bench/1", "experiment": "e", "points": [{"system": "fake-peer",
 "status": "ok", "pairs_per_s": $batch, "latency_ms": {"p50": 1.5}, "requests": 3}]}
JSON
)";

class PeerRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = rerankd::testing::make_temp_dir("peer-runner");
    std::ofstream(dir_ / "fake_peer.sh") << kFakePeer;
    std::ofstream(dir_ / "failing_peer.sh") << "echo something broke >&2\nexit 3\n";
    context_ = {"e", "/models/m", "/data", dir_, dir_, "sh"};
  }
  void TearDown() override { fs::remove_all(dir_); }

  static GridPoint point(const std::string& backend, int documents) {
    GridPoint p;
    p.params = {{"model.backend", backend}};
    p.settings.config.model.backend = backend;
    p.settings.workload.documents = documents;
    return p;
  }

  int runs() const {
    std::ifstream in(dir_ / "runs");
    int count = 0;
    for (std::string line; std::getline(in, line);) ++count;
    return count;
  }

  fs::path dir_;
  PeerContext context_;
};

TEST_F(PeerRunnerTest, CommandCarriesTheGridPoint) {
  const auto argv = peer_command({"fake_peer.sh", {"--modes", "sdpa"}}, point("cpu", 32), context_,
                                 "/tmp/o.json");
  const std::string joined = [&] {
    std::string text;
    for (const auto& arg : argv) text += arg + " ";
    return text;
  }();
  EXPECT_EQ(argv[0], "sh");
  EXPECT_EQ(argv[1], (dir_ / "fake_peer.sh").string());
  for (const char* part : {"--model /models/m ", "--batch-size 32 ", "--device cpu ",
                           "--param model.backend=cpu ", "--out /tmp/o.json ", "--modes sdpa "}) {
    EXPECT_NE(joined.find(part), std::string::npos) << part << " in " << joined;
  }
  const auto gpu = peer_command({"fake_peer.sh", {}}, point("cuda", 32), context_, "o.json");
  EXPECT_NE(std::find(gpu.begin(), gpu.end(), "cuda"), gpu.end());
  // Repeats travel only when asked for, so a one-run point's command is unchanged.
  EXPECT_EQ(std::find(argv.begin(), argv.end(), "--repeats"), argv.end());
  GridPoint repeated = point("cpu", 32);
  repeated.settings.load.repeats = 3;
  const auto three = peer_command({"fake_peer.sh", {}}, repeated, context_, "o.json");
  const auto flag = std::find(three.begin(), three.end(), "--repeats");
  ASSERT_NE(flag, three.end());
  EXPECT_EQ(*(flag + 1), "3");
}

// Long documents and their truncation reach the peers; defaults add nothing.
TEST_F(PeerRunnerTest, CommandCarriesLongDocumentSettings) {
  const auto plain = peer_command({"fake_peer.sh", {}}, point("cuda", 8), context_, "o.json");
  for (const char* flag : {"--max-length", "--passages-per-document", "--requests"}) {
    EXPECT_EQ(std::find(plain.begin(), plain.end(), flag), plain.end()) << flag;
  }
  GridPoint long_docs = point("cuda", 8);
  long_docs.settings.config.model.max_length = 8192;
  long_docs.settings.workload.passages_per_document = 150;
  long_docs.settings.workload.requests = 4;
  const auto argv = peer_command({"fake_peer.sh", {}}, long_docs, context_, "o.json");
  for (const auto& [flag, value] : std::vector<std::pair<std::string, std::string>>{
           {"--max-length", "8192"}, {"--passages-per-document", "150"}, {"--requests", "4"}}) {
    const auto at = std::find(argv.begin(), argv.end(), flag);
    ASSERT_NE(at, argv.end()) << flag;
    EXPECT_EQ(*(at + 1), value) << flag;
  }
}

TEST_F(PeerRunnerTest, ReadsThePointsBackUnderThePointsParams) {
  PeerRuns peers(context_);
  const auto points = peers.run({"fake_peer.sh", {}}, point("cpu", 16));
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].system, "fake-peer");
  EXPECT_DOUBLE_EQ(points[0].pairs_per_s, 16);
  EXPECT_EQ(points[0].params, point("cpu", 16).params);
}

TEST_F(PeerRunnerTest, IdenticalPeerRunsHappenOnce) {
  PeerRuns peers(context_);
  peers.run({"fake_peer.sh", {}}, point("reference", 16));
  const auto again = peers.run({"fake_peer.sh", {}}, point("cpu", 16));  // same CPU peer run
  EXPECT_EQ(runs(), 1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].params, point("cpu", 16).params);
  peers.run({"fake_peer.sh", {}}, point("cpu", 32));  // another batch size: a new run
  EXPECT_EQ(runs(), 2);
}

TEST_F(PeerRunnerTest, AFailingPeerIsAFailedPointQuotingItsLog) {
  PeerRuns peers(context_);
  const auto points = peers.run({"failing_peer.sh", {}}, point("cpu", 8));
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].status, PointStatus::kFailed);
  EXPECT_NE(points[0].note.find("exited with status 3"), std::string::npos) << points[0].note;
  EXPECT_NE(points[0].note.find("something broke"), std::string::npos) << points[0].note;
}

}  // namespace
}  // namespace rerankd::bench
