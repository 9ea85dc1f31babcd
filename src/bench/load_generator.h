// Drives a Target with a workload: closed loop (N clients, each sending its next request as
// soon as the previous one is answered) or open loop (Poisson arrivals at a fixed rate, latency
// counted from the scheduled arrival so a slow server cannot hide its queue: no coordinated
// omission). Warm-up first, then a measured window of a duration or a request count.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/results.h"
#include "bench/target.h"
#include "bench/workload.h"
#include "common/result.h"

namespace rerankd::bench {

struct LoadSpec {
  std::string mode = "closed";  // "closed" | "open"
  int clients = 1;              // closed: concurrent clients; open: most requests in flight
  double rate_rps = 0;          // open: mean arrivals per second
  double warmup_s = 1;          // sent and discarded before measuring
  double duration_s = 10;       // measured window, when requests == 0
  int requests = 0;             // > 0: measure exactly this many completed requests instead
  std::uint64_t seed = 1;       // request order offsets per client, arrival times
  // Load runs (warm-up and measured window) per grid point; the point reports the median run
  // by pairs/s and records every run's, so a noisy machine shows its spread. run_load runs one;
  // measure_point and the peer scripts repeat it.
  int repeats = 1;
};

struct RequestSample {
  double start_s = 0;     // since the measured window began (open loop: the scheduled arrival)
  double latency_ms = 0;  // arrival (or send) to answer
  std::size_t pairs = 0;
  bool ok = false;
  std::string error_type;
};

struct LoadRun {
  std::vector<RequestSample> samples;  // measured window only, in completion order
  double duration_s = 0;               // measured window's length
  double mean_batch_size = 0;          // from the target, over the measured window
  double pairs_computed = 0;           // from the target, over the measured window; 0: unknown
};

// Called about ten times a second from the generator's own thread with the fraction done
// (0..1) of warm-up + measurement; may be empty.
using ProgressFn = std::function<void(double fraction)>;

// InvalidArgument for a bad spec (names the field); the sessions' failures are samples, not
// errors. Every client's session is opened before the clock starts.
Result<LoadRun> run_load(Target& target, const std::vector<BenchRequest>& workload,
                         const LoadSpec& spec, const ProgressFn& progress = {});

}  // namespace rerankd::bench
