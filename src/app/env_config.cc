#include "app/env_config.h"

#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <map>
#include <string_view>

#include "config/config.h"

namespace rerankd::app {
namespace {

struct TeiVariable {
  const char* name;
  const char* key;
};

// text-embeddings-inference's router variables with a rerankd equivalent. TEI counts its
// max_concurrent_requests permits per pair, as rerankd counts server.max_queue_pairs.
constexpr std::array kTeiVariables = {
    TeiVariable{"MODEL_ID", "model.path"},
    TeiVariable{"PORT", "server.port"},
    TeiVariable{"HOSTNAME", "server.host"},
    TeiVariable{"DTYPE", "model.dtype"},
    TeiVariable{"MAX_BATCH_TOKENS", "batching.max_batch_tokens"},
    TeiVariable{"MAX_BATCH_REQUESTS", "batching.max_batch_size"},
    TeiVariable{"MAX_CLIENT_BATCH_SIZE", "server.max_client_batch_size"},
    TeiVariable{"MAX_CONCURRENT_REQUESTS", "server.max_queue_pairs"},
    TeiVariable{"AUTO_TRUNCATE", "server.auto_truncate"},
    TeiVariable{"TOKENIZATION_WORKERS", "server.tokenizer_threads"},
    TeiVariable{"PAYLOAD_LIMIT", "server.max_body_bytes"},
    TeiVariable{"API_KEY", "server.api_key"},
};

// batching.timeout_ms -> RERANKD_BATCHING_TIMEOUT_MS
std::string variable_for_key(std::string_view key) {
  std::string name = "RERANKD_";
  for (char c : key) {
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

// TEI's dtype names; rerankd's own pass through.
std::string dtype_value(std::string_view value) {
  if (value == "float32") return "fp32";
  if (value == "float16") return "fp16";
  if (value == "bfloat16") return "bf16";
  return std::string(value);
}

// Docker sets HOSTNAME to the container's name, which is no address to bind. TEI then listens
// on 0.0.0.0; rerankd keeps server.host instead (127.0.0.1 by default), so a variable that
// every container has never opens the port to the network by itself.
bool is_address(std::string_view host) {
  const std::string text(host);
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1 || host == "localhost";
}

}  // namespace

EnvironmentOverrides environment_overrides(const std::function<const char*(const char*)>& lookup) {
  EnvironmentOverrides result;
  std::map<std::string, std::string> values;  // key -> value
  for (const TeiVariable& variable : kTeiVariables) {
    const char* value = lookup(variable.name);
    if (value == nullptr || *value == '\0') continue;
    std::string text = value;
    if (std::string_view(variable.key) == "model.dtype") text = dtype_value(text);
    if (std::string_view(variable.key) == "server.host" && !is_address(text)) {
      result.warnings.push_back("HOSTNAME=" + text.substr(0, 64) +
                                " is not an address (a container's name?); server.host is kept");
      continue;
    }
    values[variable.key] = text;
  }
  for (const std::string& key : config::config_keys()) {
    const char* value = lookup(variable_for_key(key).c_str());
    if (value != nullptr) values[key] = value;
  }
  for (const std::string& key : config::config_keys()) {  // file order: predictable messages
    if (const auto found = values.find(key); found != values.end()) {
      result.overrides.emplace_back(key, found->second);
    }
  }
  return result;
}

}  // namespace rerankd::app
