// Config::validate: value ranges and the relations between keys, each error naming its key.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/value_text.h"

namespace rerankd::config {
namespace {

// [CLS] query [SEP] passage [SEP]: three specials plus at least one token of text.
constexpr int kMinMaxLength = 4;
// The longest position table of the BERT-family rerankers we aim at (bge-reranker-v2-m3);
// the engine checks the loaded model's own limit, which is usually 512.
constexpr int kMaxMaxLength = 8192;
// A guard against a typo (io_threads: 10000) starting thousands of threads, not a tuning hint.
constexpr int kMaxThreads = 1024;
constexpr int kMaxPort = 65535;
constexpr std::array<std::string_view, 4> kDtypes = {"fp32", "fp16", "bf16", "int8"};

class Checker {
 public:
  void at_least(std::string_view key, std::int64_t value, std::int64_t min) {
    if (value >= min) return;
    add(key,
        std::to_string(value) + (min == 0 ? " is negative" : " is below " + std::to_string(min)));
  }

  void in_range(std::string_view key, std::int64_t value, std::int64_t min, std::int64_t max) {
    if (value >= min && value <= max) return;
    add(key,
        std::to_string(value) + " is not in " + std::to_string(min) + ".." + std::to_string(max));
  }

  void not_empty(std::string_view key, const std::string& value) {
    if (value.empty()) add(key, "is empty");
  }

  void add(std::string_view key, const std::string& problem) {
    errors_.push_back(std::string(key) + ": " + problem);
  }

  Status status() const {
    if (errors_.empty()) return {};
    std::string message;
    for (const std::string& error : errors_) {
      if (!message.empty()) message += "; ";
      message += error;
    }
    return invalid_argument(std::move(message));
  }

 private:
  std::vector<std::string> errors_;
};

void check_model(const ModelConfig& model, Checker& check) {
  check.not_empty("model.path", model.path);
  // Which backends exist is the backend factory's knowledge; it names the choices.
  check.not_empty("model.backend", model.backend);
  if (model.device.empty()) check.add("model.device", "is an empty list");
  for (const int device : model.device) check.at_least("model.device", device, 0);
  if (std::find(kDtypes.begin(), kDtypes.end(), model.dtype) == kDtypes.end()) {
    check.add("model.dtype",
              quote_for_message(model.dtype) + " is not one of fp32, fp16, bf16, int8");
  }
  // 0 is the model's own limit, which only the model knows (engine/model_fit.cc).
  if (model.max_length != 0) {
    check.in_range("model.max_length", model.max_length, kMinMaxLength, kMaxMaxLength);
  }
  check.in_range("model.threads", model.threads, 0, kMaxThreads);
}

void check_batching(const Config& config, Checker& check) {
  const BatchingConfig& batching = config.batching;
  check.at_least("batching.max_batch_size", batching.max_batch_size, 1);
  check.at_least("batching.max_batch_tokens", batching.max_batch_tokens, 1);
  // A pair of model.max_length tokens must fit in a batch on its own, or the scheduler would
  // hold a batch it can never close. (For 0, the serving engine checks the model's limit.)
  if (batching.max_batch_tokens >= 1 && batching.max_batch_tokens < config.model.max_length) {
    check.add("batching.max_batch_tokens",
              std::to_string(batching.max_batch_tokens) + " is below model.max_length " +
                  std::to_string(config.model.max_length) + " (a longest pair must fit a batch)");
  }
  check.at_least("batching.timeout_ms", batching.timeout_ms, 0);
}

void check_server(const ServerConfig& server, Checker& check) {
  check.not_empty("server.host", server.host);
  check.in_range("server.port", server.port, 0, kMaxPort);
  check.in_range("server.max_concurrency", server.max_concurrency, 1, kMaxThreads);
  check.at_least("server.max_client_batch_size", server.max_client_batch_size, 1);
  check.at_least("server.max_queue_pairs", server.max_queue_pairs, 1);
  // The largest request a client may send must fit an empty queue; otherwise it would get 429
  // ("retry later") forever. A queue smaller than max_batch_size is allowed: batches then
  // close by timeout, which tests of backpressure rely on.
  if (server.max_queue_pairs >= 1 && server.max_queue_pairs < server.max_client_batch_size) {
    check.add("server.max_queue_pairs", std::to_string(server.max_queue_pairs) +
                                            " is below server.max_client_batch_size " +
                                            std::to_string(server.max_client_batch_size) +
                                            " (a largest request must fit an empty queue)");
  }
  check.at_least("server.request_timeout_ms", server.request_timeout_ms, 1);
  check.in_range("server.io_threads", server.io_threads, 1, kMaxThreads);
  check.in_range("server.tokenizer_threads", server.tokenizer_threads, 0, kMaxThreads);
  check.at_least("server.max_body_bytes", server.max_body_bytes, 1);
  check.at_least("server.header_timeout_ms", server.header_timeout_ms, 1);
  check.at_least("server.body_timeout_ms", server.body_timeout_ms, 1);
  check.at_least("server.idle_timeout_ms", server.idle_timeout_ms, 1);
  check.at_least("server.max_header_bytes", server.max_header_bytes, 1024);
  check.at_least("server.max_connections", server.max_connections, 1);
  check.at_least("server.max_idle_connections", server.max_idle_connections, 0);
  check.at_least("server.max_buffered_body_bytes", server.max_buffered_body_bytes, 1);
  check.at_least("server.shutdown_delay_ms", server.shutdown_delay_ms, 0);
  check.at_least("server.drain_timeout_ms", server.drain_timeout_ms, 0);
  if (server.metrics != "open" && server.metrics != "api_key" && server.metrics != "off") {
    check.add("server.metrics",
              quote_for_message(server.metrics) + " is not one of open, api_key, off");
  }
  // The key's value is never put in a message: errors end up in logs and bug reports.
  if (server.api_key == kRedactedApiKey) {
    check.add("server.api_key",
              "is the placeholder --print-config shows for a hidden key; "
              "give the key itself");
  } else if (std::any_of(server.api_key.begin(), server.api_key.end(), [](char c) {
               const auto byte = static_cast<unsigned char>(c);
               return byte <= 0x20 || byte == 0x7f;
             })) {
    // A Bearer token is one HTTP header word; a key with spaces could never match.
    check.add("server.api_key", "contains a space or control character (value not shown)");
  }
}

}  // namespace

Status Config::validate() const {
  Checker check;
  check_model(model, check);
  check_batching(*this, check);
  check_server(server, check);
  return check.status();
}

}  // namespace rerankd::config
