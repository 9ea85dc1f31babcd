// `rerankd tune`: finds the batching and concurrency settings with the highest throughput whose
// p50 meets a latency target on this machine, and writes them as a config `rerankd serve
// --config` accepts, with the measurements that justify the choice as comments.
//
// The search, coordinate by coordinate (each step keeps the best so far):
//   1. max_batch_size over 8, 16, 32, ... up to max_batch_size_limit, at concurrency 1;
//      stops early once throughput gains under 3% or p50 misses the target;
//   2. max_concurrency 1 .. max_concurrency_limit at the chosen batch size, same early stop;
//   3. timeout_ms over {0, 5, 20, 50} at the chosen pair.
// Each candidate runs a closed loop with enough clients to fill every worker's batch once
// (ceil(max_batch_size * max_concurrency / documents)), the load a server so configured is
// built for. The choice at each step is recommend.h's sweet spot over that step's points.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bench/experiment.h"
#include "bench/results.h"
#include "common/result.h"

namespace rerankd::bench {

struct TuneOptions {
  double slo_p50_ms = 200;
  int max_batch_size_limit = 256;
  int max_concurrency_limit = 0;  // 0 = the number of cores
  RunSettings base;               // backend, dtype, model path, workload (documents), load timing
};

struct TuneStep {
  std::string name;                 // "batch size", "concurrency", "timeout"
  std::vector<ResultPoint> points;  // measured candidates, in order
  std::size_t chosen = 0;           // index into points
  std::string reason;
};

struct TuneOutcome {
  config::Config config;  // the chosen config
  std::vector<TuneStep> steps;
};

// Measures one candidate (the runner's in-process measurement); injected so the search can be
// tested on recorded data.
using MeasureFn = std::function<Result<ResultPoint>(const RunSettings& settings)>;

// The candidates of one step (settings to measure) given the best so far.
std::vector<RunSettings> candidates_for_step(int step, const RunSettings& best,
                                             const TuneOptions& options);
// Clients that fill every worker's batch once.
int clients_to_fill(const RunSettings& settings);

Result<TuneOutcome> tune(const TuneOptions& options, const MeasureFn& measure);

// The config as YAML with a comment header: the target, the machine, every measured candidate
// and why the chosen one won.
std::string tuned_config_yaml(const TuneOutcome& outcome, const TuneOptions& options,
                              const MachineInfo& machine);

}  // namespace rerankd::bench
