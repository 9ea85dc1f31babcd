// Runs the peer scripts of an experiment (tools/peers/*.py) at one grid point and reads back
// the points they write in the harness's results schema.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "bench/experiment.h"
#include "bench/results.h"
#include "bench/sweep.h"

namespace rerankd::bench {

struct PeerContext {
  std::string experiment;
  std::filesystem::path model_dir;
  std::filesystem::path data_dir;
  std::filesystem::path repo_dir;
  std::filesystem::path work_dir;  // for the peers' output and logs
  std::string python = "python3";
};

// The command line that runs `peer` at `point` (the CLI tools/peers/README.md documents).
std::vector<std::string> peer_command(const PeerSpec& peer, const GridPoint& point,
                                      const PeerContext& context,
                                      const std::filesystem::path& out_file);

// The peer's points; a peer that fails gives one failed point naming the script and quoting
// its log's tail, so the report shows it.
std::vector<ResultPoint> run_peer(const PeerSpec& peer, const GridPoint& point,
                                  const PeerContext& context);

// run_peer, once per distinct peer command: grid points that differ only in keys the peer does
// not see (a sweep over rerankd's backends runs the CPU peers once, not once per backend)
// reuse the first run's points under their own params.
class PeerRuns {
 public:
  explicit PeerRuns(PeerContext context) : context_(std::move(context)) {}
  std::vector<ResultPoint> run(const PeerSpec& peer, const GridPoint& point);

 private:
  PeerContext context_;
  std::map<std::string, std::vector<ResultPoint>> done_;  // command without params -> points
};

}  // namespace rerankd::bench
