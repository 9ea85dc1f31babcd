// Reading request bodies with simdjson's DOM: parse errors become 400 (kInvalidArgument), a
// value of the wrong JSON type becomes 422 (kFailedPrecondition; see error_map.cc), a missing
// required field 400. Messages name the field, e.g. "texts[3]: expected a string, got number".
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace rerankd::http::codecs {

// Parses `body` with a parser owned by the calling thread. The element stays valid until the
// next parse on this thread. Not an object at the top level: kFailedPrecondition.
Result<simdjson::dom::object> parse_object(std::string_view body);

std::string_view json_type_name(simdjson::dom::element_type type);

// A type error naming `field`.
Status type_error(std::string_view field, std::string_view expected,
                  const simdjson::dom::element& got);

// The field's element, or nullopt when the key is absent.
std::optional<simdjson::dom::element> find_field(const simdjson::dom::object& object,
                                                 std::string_view key);

// Required string field.
Result<std::string_view> required_string(const simdjson::dom::object& object, std::string_view key);
Result<std::string_view> as_string(const simdjson::dom::element& element, std::string_view field);

// Optional bool: absent or null gives `fallback`.
Result<bool> optional_bool(const simdjson::dom::object& object, std::string_view key,
                           bool fallback);

// Optional integer >= 1: absent or null gives 0.
Result<std::int64_t> optional_positive_int(const simdjson::dom::object& object,
                                           std::string_view key);

// 400 naming the first key of `object` not in `known`, and the keys the route accepts.
Status check_known_fields(const simdjson::dom::object& object,
                          std::initializer_list<std::string_view> known, std::string_view route);

// Required array field.
Result<simdjson::dom::array> required_array(const simdjson::dom::object& object,
                                            std::string_view key);

}  // namespace rerankd::http::codecs
