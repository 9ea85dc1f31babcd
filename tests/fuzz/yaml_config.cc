// Fuzzes the YAML config (`rerankd serve --config FILE`): parse_config_yaml (yaml-cpp, then the
// key table), Config::validate, and to_yaml, whose output config.h promises parses back to the
// same Config.
//
// Invariants (abort on violation): to_yaml's text of an accepted config parses, gives the same
// text again, and validates the same way (unless server.api_key is set: to_yaml prints it as
// kRedactedApiKey, which validate refuses by design).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "fuzz_support.h"

namespace config = rerankd::config;
using rerankd::fuzz::fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = config::parse_config_yaml(text, "config.yaml");
  if (!parsed.ok()) return 0;
  const rerankd::Status valid = parsed->validate();
  const std::string yaml = config::to_yaml(*parsed);
  auto again = config::parse_config_yaml(yaml, "to_yaml");
  if (!again.ok()) fail("to_yaml's text does not parse", again.status().to_string() + "\n" + yaml);
  const std::string yaml_again = config::to_yaml(*again);
  if (yaml_again != yaml) fail("to_yaml does not round-trip", yaml + "\n---\n" + yaml_again);
  if (parsed->server.api_key.empty() && again->validate().ok() != valid.ok()) {
    fail("validate differs after the round trip", valid.to_string());
  }
  return 0;
}
