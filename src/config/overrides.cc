// Flags: one dotted key set from its command-line text, and the key list the flags come from.
#include "config/config.h"
#include "config/key_table.h"
#include "config/value_text.h"

namespace rerankd::config {

Status apply_override(Config& config, std::string_view dotted_key, std::string_view value) {
  const KeySpec* spec = find_key(dotted_key);
  if (spec == nullptr) return invalid_argument(unknown_key_message(dotted_key));
  const Status status = set_field_from_text(spec->field(config), value);
  if (!status.ok()) return status.with_context(dotted_key);
  return {};
}

Status apply_overrides(Config& config,
                       const std::vector<std::pair<std::string, std::string>>& overrides) {
  for (const auto& [key, value] : overrides) {
    RERANKD_RETURN_IF_ERROR(apply_override(config, key, value));
  }
  return {};
}

std::vector<std::string> config_keys() {
  std::vector<std::string> keys;
  for (const KeySpec& spec : key_table()) keys.emplace_back(spec.key);
  return keys;
}

std::string_view config_key_help(std::string_view dotted_key) {
  const KeySpec* spec = find_key(dotted_key);
  return spec == nullptr ? std::string_view() : spec->help;
}

}  // namespace rerankd::config
