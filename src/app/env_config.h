// Configuration from the environment, between the YAML file and the flags: TEI's variable
// names (MODEL_ID, PORT, MAX_BATCH_TOKENS, ...) for users who deploy TEI today, and
// RERANKD_<KEY> for every config key (RERANKD_BATCHING_TIMEOUT_MS for batching.timeout_ms).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace rerankd::app {

struct EnvironmentOverrides {
  std::vector<std::pair<std::string, std::string>> overrides;  // dotted key, value
  std::vector<std::string> warnings;                           // variables read and ignored
};

// `lookup` returns a variable's value or null (getenv in the product, a map in tests). A
// RERANKD_<KEY> variable wins over the TEI name for the same key.
EnvironmentOverrides environment_overrides(const std::function<const char*(const char*)>& lookup);

}  // namespace rerankd::app
