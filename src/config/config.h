// The server's configuration: YAML (`--config FILE`) and flags become one validated Config
// (STYLE.md, rule 9). Each module receives its own section by const reference.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace rerankd::config {

struct ModelConfig {
  std::string path = "cross-encoder/ms-marco-MiniLM-L-6-v2";  // directory or cached hub id
  std::string backend = "cpu";                                // reference, cpu or cuda
  std::vector<int> device = {0};  // GPU indices for device backends; a worker set per device
  std::string dtype = "fp32";
  // Tokens per pair incl. specials, <= the model's limit; 0 = that limit (max_position_embeddings
  // less the family's position offset: 512 for BERT, 8,192 for bge-reranker-v2-m3), as TEI does.
  int max_length = 0;
  int threads = 0;  // CPU threads per backend instance, 0 = the cores shared among the workers

  bool operator==(const ModelConfig&) const = default;
};

struct BatchingConfig {
  bool enabled = true;           // false: each request runs alone (the study's baseline)
  int max_batch_size = 64;       // pairs per batch
  int max_batch_tokens = 16384;  // padded tokens per batch (pairs x longest pair)
  int timeout_ms = 50;           // a batch closes this long after its first pair at the latest
  bool sort_by_length = true;    // group pairs of similar length so padding stays small
  // true: a batch that is not full closes at once while a worker is idle (TEI's rule), so a
  // lone request never waits timeout_ms for company that is not coming; timeout_ms then
  // bounds the wait only while every worker is busy. false: the study's rule, a batch closes
  // only when full or timed out.
  bool close_when_idle = true;
  // true: the scheduler spends work only where an answer can come of it. A request whose
  // queued pairs cannot all be scored before its deadline (at the measured speed) fails with
  // 504 before any of its pairs run, and while the queue is deep a batch takes the pairs of the
  // oldest requests only, so that requests finish one after another instead of all of them
  // half-way. false: neither.
  bool deadline_aware = true;

  bool operator==(const BatchingConfig&) const = default;
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;                        // 0 = any free port (printed at start)
  int max_concurrency = 4;                // batches in flight (backend workers)
  int max_queue_pairs = 65536;            // pairs waiting; past it, 429
  int max_client_batch_size = 1000;       // documents per request; past it, 413
  bool auto_truncate = true;              // false: a pair over max_length is a 413
  int request_timeout_ms = 30000;         // deadline from arrival; expired pairs get 504
  int io_threads = 2;                     // HTTP I/O threads
  int tokenizer_threads = 0;              // 0 = all cores
  std::int64_t max_body_bytes = 8 << 20;  // request body limit; past it, 413
  int header_timeout_ms = 10000;          // whole header must arrive in this time
  int body_timeout_ms = 30000;            // whole body must arrive in this time
  int idle_timeout_ms = 60000;            // keep-alive connection with no request is closed
  int max_header_bytes = 64 << 10;        // request line and headers at most; past it, 431
  int max_connections = 1024;             // open at once; past it, 503 and closed
  int max_idle_connections = 256;         // kept alive between requests; past it, closed after
                                          // their answer
  std::int64_t max_buffered_body_bytes = 256 << 20;  // all request bodies held; past it, 503
  int shutdown_delay_ms = 0;     // after SIGTERM: /ready 503, still serving, this long
  int drain_timeout_ms = 30000;  // then: in-flight requests get this long to finish
  bool access_log = true;        // one JSON line per request on stderr
  std::string metrics = "open";  // GET /metrics: open, api_key (needs the key) or off
  std::string api_key;           // non-empty: require "Authorization: Bearer <key>"

  bool operator==(const ServerConfig&) const = default;
};

struct Config {
  ModelConfig model;
  BatchingConfig batching;
  ServerConfig server;

  bool operator==(const Config&) const = default;

  // Checks every value and its relations to others; InvalidArgument naming each bad key and
  // its value, all of them in one message separated by "; ", e.g.
  // "batching.timeout_ms: -1 is negative; server.port: 70000 is not in 0..65535".
  // server.api_key's value is never quoted in a message.
  Status validate() const;
};

// The order of use: parse_config_yaml or load_config_file (or a default Config), then the
// flags through apply_override, then validate(). Parsing checks keys and types only, so that
// a flag can still fix a value the file got wrong.

// Parses YAML text; unknown keys and values of the wrong type are errors naming the key
// ("batching.max_batch_sise: unknown key"), prefixed by "<source>:<line>: ". A YAML syntax
// error names the source, line and column. Keys absent from the text keep their defaults; an
// empty text is the default Config. `source` is the file name (or "<string>") for messages.
Result<Config> parse_config_yaml(std::string_view yaml_text, std::string_view source);
// NotFound when the file is missing; otherwise as parse_config_yaml with the path as source.
Result<Config> load_config_file(const std::filesystem::path& path);

// Sets one dotted key from a command-line string ("batching.max_batch_size", "96"), with
// the same typing and messages as YAML: booleans true/false, integers in decimal, strings as
// given, model.device as "0" or "0,1". Errors name the key and carry no source prefix.
Status apply_override(Config& config, std::string_view dotted_key, std::string_view value);
// apply_override for each (key, value) in order; stops at the first error.
Status apply_overrides(Config& config,
                       const std::vector<std::pair<std::string, std::string>>& overrides);

// All dotted keys, in file order: what --print-config shows and which flags exist.
std::vector<std::string> config_keys();
// One line of help for a dotted key (for --help of its flag); empty for an unknown key.
std::string_view config_key_help(std::string_view dotted_key);

// The text --print-config shows for a set server.api_key: the key itself is never printed,
// since that output is pasted into bug reports. validate() rejects it as a key.
inline constexpr std::string_view kRedactedApiKey = "<set>";

// The effective config as YAML, one key per line in config_keys() order, that
// parse_config_yaml reads back to the same Config — except server.api_key, printed as
// kRedactedApiKey when set (see above), so a config with a key round-trips to one whose
// validate() fails instead of one that silently expects the wrong key.
std::string to_yaml(const Config& config);

}  // namespace rerankd::config
