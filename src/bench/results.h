// The harness's record of a run: one ResultPoint per (system, grid point), grouped per
// experiment in an ExperimentResult. This is also the JSON schema ("rerankd-bench/1") that
// results.json files hold and that the peer scripts in tools/peers/ write, so rerankd and the
// peers land in one report. docs: bench/README.md in the repo root lists the fields.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rerankd::bench {

inline constexpr const char* kResultsSchema = "rerankd-bench/1";

struct LatencySummary {  // milliseconds per request
  double mean = 0;
  double p50 = 0;
  double p90 = 0;
  double p95 = 0;
  double p99 = 0;
  double max = 0;
};

enum class PointStatus {
  kOk,        // measured
  kNotBuilt,  // the backend (or peer library) is not available on this machine: note says which
  kFailed,    // setup or the run failed: note says why
};

struct ResultPoint {
  std::string system = "rerankd";  // "rerankd", "transformers-eager", "onnxruntime", ...
  std::string label;               // short human name, e.g. "reference fp32"
  // The swept values of this grid point, dotted key -> value as text, in sweep order
  // ("batching.max_batch_size" -> "64", "load.clients" -> "4").
  std::vector<std::pair<std::string, std::string>> params;
  // Everything else that defined the run (backend, dtype, documents per request, target...).
  std::map<std::string, std::string> settings;
  PointStatus status = PointStatus::kOk;
  std::string note;

  std::int64_t requests = 0;  // completed in the measured window (ok or not)
  std::int64_t errors = 0;    // of those, failed
  std::map<std::string, std::int64_t> errors_by_type;  // error_type -> count
  std::int64_t pairs = 0;                              // pairs of the successful requests
  double duration_s = 0;                               // measured window
  double pairs_per_s = 0;                              // pairs / duration_s
  double requests_per_s = 0;                           // successful requests / duration_s
  LatencySummary latency_ms;                           // over successful requests
  double mean_batch_size = 0;  // pairs per backend batch; 0 when unknown (peers: their batch)
  // Pairs the backend ran per second, answered or not; 0 when unknown. pairs_per_s (the
  // goodput: pairs of answered requests) over it is the share of the work that was answered.
  double computed_pairs_per_s = 0;
  // With load.repeats > 1: every measured window's pairs/s in run order; the fields above are
  // the median window's. Empty for a single window.
  std::vector<double> repeat_pairs_per_s;
};

struct MachineInfo {
  std::string cpu_model;
  int cpu_cores = 0;      // logical CPUs online
  std::string cpu_flags;  // the SIMD ones that matter: avx2 avx512f avx512_vnni avx512_bf16 amx
  std::string gpu;        // "" when none; "NVIDIA H100 80GB HBM3 x1"
  std::string os;
  std::string build_type;  // Release, Debug...
  std::string git_commit;  // short hash, "+dirty" when the tree had changes
  std::string rerankd_version;
};

struct ExperimentResult {
  std::string experiment;   // the YAML's name
  std::string description;  // the YAML's description
  std::string started_at;   // ISO 8601 UTC
  MachineInfo machine;
  // The axis the report plots against (a params key), and the p50 target the sweet spot uses.
  std::string x_key;
  double latency_target_p50_ms = 0;  // 0: no target
  std::vector<ResultPoint> points;
};

}  // namespace rerankd::bench
