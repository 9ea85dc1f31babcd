// Typing one config value given as text. YAML scalars and command-line flags both come through
// here, so `port: abc` in a file and `--server.port abc` on the command line fail alike.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/key_table.h"

namespace rerankd::config {

// What a field of this type accepts, for messages: "an integer", "true or false", ...
std::string_view expected_description(const FieldRef& field);

// The text quoted for a message, shortened when long: 'abc'.
std::string quote_for_message(std::string_view text);

// Decimal integers only (no sign '+', no hex, no fraction), within the type's range.
// Messages carry no key: "expected an integer, got 'abc'"; the caller adds the key.
Result<int> parse_int(std::string_view text);
Result<std::int64_t> parse_int64(std::string_view text);
// YAML 1.2 core booleans: true/True/TRUE, false/False/FALSE. Not yes/no/on/off (YAML 1.1),
// which turn a string such as a country code "no" into a boolean by surprise.
Result<bool> parse_bool(std::string_view text);

// Sets the field from one text; an integer list takes "0" or "0,1" (spaces allowed).
Status set_field_from_text(const FieldRef& field, std::string_view text);

}  // namespace rerankd::config
