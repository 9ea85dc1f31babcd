// Small typed accessors over simdjson DOM values for the tokenizer loaders: each returns a
// Status naming the file and the key when a value is missing or has the wrong type.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace rerankd::text::json {

// Parses `content` into `doc` (owned by `parser`); InvalidArgument naming `file` on bad JSON.
Status parse(simdjson::dom::parser& parser, const std::string& content, const std::string& file,
             simdjson::dom::element& doc);

// The member `key` of `object`, or nullopt when absent (a JSON null is returned as present).
std::optional<simdjson::dom::element> member(simdjson::dom::element object, std::string_view key);

bool is_null(const std::optional<simdjson::dom::element>& value);

// Reads member `key` of `object` into `out`; false when it is absent or of another type.
template <typename T>
bool read_member(simdjson::dom::element object, std::string_view key, T& out) {
  const auto value = member(object, key);
  return value && value->get(out) == simdjson::SUCCESS;
}

// Typed reads of an optional member: the default when absent or null, an error naming
// `file` and `key` when the type is wrong.
Result<bool> get_bool(simdjson::dom::element object, std::string_view key, bool fallback,
                      const std::string& file);
Result<std::int64_t> get_int(simdjson::dom::element object, std::string_view key,
                             std::int64_t fallback, const std::string& file);
Result<std::string> get_string(simdjson::dom::element object, std::string_view key,
                               std::string fallback, const std::string& file);

}  // namespace rerankd::text::json
