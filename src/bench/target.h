// What a load run drives: the in-process engine (engine::ScoringService) or a rerankd server
// over HTTP. A Target hands out Sessions; each load-generator client thread owns one Session
// (for HTTP: one keep-alive connection) and calls it synchronously.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bench/workload.h"
#include "common/result.h"

namespace rerankd::bench {

struct CallOutcome {
  bool ok = false;
  std::string error_type;  // when !ok: the server's error_type ("overloaded", ...), or
                           // "transport" for a connection failure, "bad_response" for an
                           // answer that does not parse or has the wrong number of results
  std::string error;       // message, for the log
  std::size_t pairs = 0;   // documents scored (ok only)
};

class Session {
 public:
  virtual ~Session() = default;
  // Sends one rerank request (all documents, raw scores, no top_n) and waits for the answer.
  // Never throws. Checks that the answer ranks every document exactly once.
  virtual CallOutcome call(const BenchRequest& request) = 0;
};

class Target {
 public:
  virtual ~Target() = default;
  // Called once per load run, before its sessions open, with the requests the run will send:
  // a target that works on pre-tokenized input tokenizes them here, outside the measurement.
  virtual Status prepare(const std::vector<BenchRequest>& workload) {
    (void)workload;
    return Status();
  }
  // Called once per load run, before its sessions open, with how many it will open: a target
  // whose sessions each compute on CPU threads shares the cores among them.
  virtual void expect_sessions(int sessions) { (void)sessions; }
  // Thread-safe.
  virtual Result<std::unique_ptr<Session>> open_session() = 0;
  // "in_process" | "http://127.0.0.1:PORT"
  virtual std::string describe() const = 0;
  // Mean pairs per backend batch since the last reset_batch_stats(); 0 when it cannot tell.
  // In process: from the engine's metrics registry; over HTTP: from GET /metrics
  // (rerankd_batch_size_pairs_sum / _count deltas).
  virtual double mean_batch_size() = 0;
  // Pairs the backend ran since the last reset_batch_stats(), for answered requests or not
  // (rerankd_batch_size_pairs_sum's delta); 0 when it cannot tell. Against the answered pairs
  // it shows the work wasted on requests that failed late (a deadline, a hang-up).
  virtual double pairs_computed() { return 0; }
  virtual void reset_batch_stats() = 0;
};

}  // namespace rerankd::bench
