// The one table of config keys: each dotted key, its field in Config and its help line. YAML
// parsing, flag overrides, --print-config and the key list all walk this table, so a new
// field is added here once.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.h"

namespace rerankd::config {

// A pointer to one field of a Config, by its type.
using FieldRef = std::variant<bool*, int*, std::int64_t*, std::string*, std::vector<int>*>;

struct KeySpec {
  std::string_view key;               // "batching.max_batch_size"
  std::string_view help;              // one line, for --help and default.yaml's comments
  FieldRef (*field)(Config& config);  // where the value lives
};

// Every key, in file order (model, batching, server; fields in struct order).
std::span<const KeySpec> key_table();

// The entry for a dotted key, or nullptr.
const KeySpec* find_key(std::string_view dotted_key);

// True when `section` is the first part of some key ("model", "batching", "server").
bool is_section(std::string_view section);

// "<key>: unknown key", with "; did you mean <close key>?" when one key is a typo away.
std::string unknown_key_message(std::string_view dotted_key);

}  // namespace rerankd::config
