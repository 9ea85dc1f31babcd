#include "config/key_table.h"

#include <algorithm>
#include <array>

namespace rerankd::config {
namespace {

// Captureless lambdas keep the table a constant array of plain function pointers.
#define RERANKD_CONFIG_FIELD(member) [](Config& c) -> FieldRef { return &c.member; }

constexpr std::array kKeys = {
    KeySpec{"model.path", "model directory, or a hub id found in the Hugging Face cache",
            RERANKD_CONFIG_FIELD(model.path)},
    KeySpec{
        "model.backend",
        "compute backend: cpu (oneDNN, the default), cuda (NVIDIA GPU) or reference (plain fp32)",
        RERANKD_CONFIG_FIELD(model.backend)},
    KeySpec{"model.device", "GPU index or list of indices for device backends",
            RERANKD_CONFIG_FIELD(model.device)},
    KeySpec{"model.dtype", "fp32, fp16, bf16 or int8", RERANKD_CONFIG_FIELD(model.dtype)},
    KeySpec{"model.max_length",
            "tokens per pair incl. specials (4..8192, <= the model's limit; 0 = that limit)",
            RERANKD_CONFIG_FIELD(model.max_length)},
    KeySpec{"model.threads",
            "CPU threads per backend instance; 0 = the cores shared among the "
            "server.max_concurrency workers",
            RERANKD_CONFIG_FIELD(model.threads)},
    KeySpec{"batching.enabled", "false: each request runs alone as its own batch",
            RERANKD_CONFIG_FIELD(batching.enabled)},
    KeySpec{"batching.max_batch_size", "pairs per batch at most",
            RERANKD_CONFIG_FIELD(batching.max_batch_size)},
    KeySpec{"batching.max_batch_tokens", "padded tokens per batch at most (pairs x longest)",
            RERANKD_CONFIG_FIELD(batching.max_batch_tokens)},
    KeySpec{"batching.timeout_ms", "a batch closes this long after its first pair at the latest",
            RERANKD_CONFIG_FIELD(batching.timeout_ms)},
    KeySpec{"batching.sort_by_length", "group pairs of similar length so padding stays small",
            RERANKD_CONFIG_FIELD(batching.sort_by_length)},
    KeySpec{"batching.close_when_idle",
            "a batch that is not full closes at once while a worker is idle",
            RERANKD_CONFIG_FIELD(batching.close_when_idle)},
    KeySpec{"batching.deadline_aware",
            "fail early a request that cannot finish in time; keep requests together when the "
            "queue is deep",
            RERANKD_CONFIG_FIELD(batching.deadline_aware)},
    KeySpec{"server.host", "address to listen on", RERANKD_CONFIG_FIELD(server.host)},
    KeySpec{"server.port", "TCP port; 0 = any free port (printed at start)",
            RERANKD_CONFIG_FIELD(server.port)},
    KeySpec{"server.max_concurrency", "batches in flight (backend workers; per GPU for cuda)",
            RERANKD_CONFIG_FIELD(server.max_concurrency)},
    KeySpec{"server.max_queue_pairs", "pairs waiting at most; past it, 429",
            RERANKD_CONFIG_FIELD(server.max_queue_pairs)},
    KeySpec{"server.max_client_batch_size", "documents per request at most; past it, 413",
            RERANKD_CONFIG_FIELD(server.max_client_batch_size)},
    KeySpec{"server.auto_truncate", "false: a pair over model.max_length is a 413",
            RERANKD_CONFIG_FIELD(server.auto_truncate)},
    KeySpec{"server.request_timeout_ms", "deadline from arrival; expired pairs get 504",
            RERANKD_CONFIG_FIELD(server.request_timeout_ms)},
    KeySpec{"server.io_threads", "HTTP I/O threads", RERANKD_CONFIG_FIELD(server.io_threads)},
    KeySpec{"server.tokenizer_threads", "tokenizer threads; 0 = all cores",
            RERANKD_CONFIG_FIELD(server.tokenizer_threads)},
    KeySpec{"server.max_body_bytes", "request body limit in bytes; past it, 413",
            RERANKD_CONFIG_FIELD(server.max_body_bytes)},
    KeySpec{"server.header_timeout_ms", "the whole request header must arrive in this time",
            RERANKD_CONFIG_FIELD(server.header_timeout_ms)},
    KeySpec{"server.body_timeout_ms", "the whole request body must arrive in this time",
            RERANKD_CONFIG_FIELD(server.body_timeout_ms)},
    KeySpec{"server.idle_timeout_ms", "a keep-alive connection idle this long is closed",
            RERANKD_CONFIG_FIELD(server.idle_timeout_ms)},
    KeySpec{"server.max_header_bytes", "request line and headers at most; past it, 431",
            RERANKD_CONFIG_FIELD(server.max_header_bytes)},
    KeySpec{"server.max_connections", "connections open at once; past it, 503 and closed",
            RERANKD_CONFIG_FIELD(server.max_connections)},
    KeySpec{"server.max_idle_connections",
            "keep-alive connections between requests; past it, closed after the answer",
            RERANKD_CONFIG_FIELD(server.max_idle_connections)},
    KeySpec{"server.max_buffered_body_bytes",
            "bytes of all request bodies held at once (at least max_body_bytes); past it, 503",
            RERANKD_CONFIG_FIELD(server.max_buffered_body_bytes)},
    KeySpec{"server.shutdown_delay_ms",
            "after SIGTERM, /ready answers 503 while requests are still served this long, so a "
            "balancer's health check takes the server out before it stops listening",
            RERANKD_CONFIG_FIELD(server.shutdown_delay_ms)},
    KeySpec{"server.drain_timeout_ms",
            "once the server stops listening, requests in flight get this long to be answered",
            RERANKD_CONFIG_FIELD(server.drain_timeout_ms)},
    KeySpec{"server.access_log", "one JSON line per request on stderr",
            RERANKD_CONFIG_FIELD(server.access_log)},
    KeySpec{"server.metrics", "GET /metrics: open, api_key (needs the key) or off",
            RERANKD_CONFIG_FIELD(server.metrics)},
    KeySpec{"server.api_key", "non-empty: require \"Authorization: Bearer <key>\"",
            RERANKD_CONFIG_FIELD(server.api_key)},
};

#undef RERANKD_CONFIG_FIELD

// Plain Levenshtein distance; keys are short, so the quadratic table is nothing.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::span<const KeySpec> key_table() { return kKeys; }

const KeySpec* find_key(std::string_view dotted_key) {
  for (const KeySpec& spec : kKeys) {
    if (spec.key == dotted_key) return &spec;
  }
  return nullptr;
}

bool is_section(std::string_view section) {
  return std::any_of(kKeys.begin(), kKeys.end(), [&](const KeySpec& spec) {
    return spec.key.size() > section.size() && spec.key.starts_with(section) &&
           spec.key[section.size()] == '.';
  });
}

std::string unknown_key_message(std::string_view dotted_key) {
  std::string message = std::string(dotted_key) + ": unknown key";
  // Two edits catch a swapped, missing or doubled letter without suggesting unrelated keys.
  constexpr std::size_t kMaxSuggestionDistance = 2;
  const KeySpec* best = nullptr;
  std::size_t best_distance = kMaxSuggestionDistance + 1;
  for (const KeySpec& spec : kKeys) {
    const std::size_t distance = edit_distance(dotted_key, spec.key);
    if (distance < best_distance) {
      best = &spec;
      best_distance = distance;
    }
  }
  if (best != nullptr) message += "; did you mean " + std::string(best->key) + "?";
  return message;
}

}  // namespace rerankd::config
