// One experiment file (experiments/*.yaml): what to run, on what, swept over which keys, and
// how to report it. Parsed once into an Experiment; every run-time choice flows from it.
//
//   name: 05_batch_size
//   description: Batch-size sweep, one client sending requests of B documents.
//   target: in_process            # in_process | server (the harness starts one) | http://h:p
//   model: cross-encoder/ms-marco-MiniLM-L-6-v2      # optional; --model overrides
//   config:                       # a `rerankd serve` config: the keys of configs/default.yaml
//     batching: {max_batch_size: 32, timeout_ms: 50}
//   workload: {kind: msmarco, documents: 32}
//   load: {mode: closed, clients: 1, warmup_s: 2, duration_s: 20}   # repeats: 3 for medians
//   sweep:                        # a grid: every combination, first key outermost
//     batching.max_batch_size: [8, 16, 32, 64, 96, 128, 192, 256]
//   link:                         # keys that take another key's value at every point
//     workload.documents: batching.max_batch_size
//   report: {x: batching.max_batch_size, latency_target_p50_ms: 200}
//   peers:                        # tools/peers scripts run at every grid point
//     - {script: tools/peers/transformers_peer.py, args: [--modes, "eager,sdpa"]}
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/load_generator.h"
#include "bench/workload.h"
#include "common/result.h"
#include "config/config.h"

namespace rerankd::bench {

// Everything one grid point runs with.
struct RunSettings {
  std::string target = "in_process";
  config::Config config;
  WorkloadSpec workload;
  LoadSpec load;

  bool operator==(const RunSettings&) const = default;
};

struct SweepAxis {
  std::string key;                  // a settable key (see apply_setting)
  std::vector<std::string> values;  // as text, in file order
};

struct PeerSpec {
  std::string script;             // relative to the repo root or absolute
  std::vector<std::string> args;  // extra arguments, as given
};

struct Experiment {
  std::string name;
  std::string description;
  std::string model;  // "" = config.model.path
  RunSettings base;
  std::vector<SweepAxis> sweep;
  std::vector<std::pair<std::string, std::string>> links;  // (key, source key)
  std::string x_key;
  double latency_target_p50_ms = 0;
  std::vector<PeerSpec> peers;
};

// Sets one key of `settings` from text: "target", any config key (config::apply_override),
// "workload.<field>" or "load.<field>" (the fields of WorkloadSpec and LoadSpec by name).
// InvalidArgument naming the key for an unknown key or a bad value.
Status apply_setting(RunSettings& settings, std::string_view key, std::string_view value);
// The keys apply_setting knows, for messages and --help.
std::vector<std::string> settable_keys();
// The config's own validate() plus the workload and load fields (positive counts, an open loop
// with a rate); InvalidArgument naming every bad key.
Status validate_settings(const RunSettings& settings);

// Errors name the source, the line and the key ("05.yaml:12: sweep.batching.max_batch_sise:
// unknown key"). Checks that the sweep and link keys are settable, link sources are swept,
// report.x is a swept key, and that the base settings validate (config::Config::validate).
Result<Experiment> parse_experiment(std::string_view yaml_text, std::string_view source);
Result<Experiment> load_experiment_file(const std::filesystem::path& path);

}  // namespace rerankd::bench
