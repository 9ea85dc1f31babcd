#include "text/json_fields.h"

namespace rerankd::text::json {
namespace {

Status wrong_type(const std::string& file, std::string_view key, const char* expected) {
  return invalid_argument(file + ": '" + std::string(key) + "' must be " + expected);
}

}  // namespace

Status parse(simdjson::dom::parser& parser, const std::string& content, const std::string& file,
             simdjson::dom::element& doc) {
  const simdjson::error_code error = parser.parse(content).get(doc);
  if (error != simdjson::SUCCESS) {
    return invalid_argument(file + ": invalid JSON: " + simdjson::error_message(error));
  }
  if (!doc.is_object()) return invalid_argument(file + ": the top level is not a JSON object");
  return Status::ok_status();
}

std::optional<simdjson::dom::element> member(simdjson::dom::element object, std::string_view key) {
  simdjson::dom::element value;
  if (!object.is_object() || object.at_key(key).get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return value;
}

bool is_null(const std::optional<simdjson::dom::element>& value) {
  return !value.has_value() || value->is_null();
}

Result<bool> get_bool(simdjson::dom::element object, std::string_view key, bool fallback,
                      const std::string& file) {
  const auto value = member(object, key);
  if (is_null(value)) return fallback;
  bool result;
  if (value->get(result) != simdjson::SUCCESS) return wrong_type(file, key, "true or false");
  return result;
}

Result<std::int64_t> get_int(simdjson::dom::element object, std::string_view key,
                             std::int64_t fallback, const std::string& file) {
  const auto value = member(object, key);
  if (is_null(value)) return fallback;
  std::int64_t result;
  if (value->get(result) != simdjson::SUCCESS) return wrong_type(file, key, "an integer");
  return result;
}

Result<std::string> get_string(simdjson::dom::element object, std::string_view key,
                               std::string fallback, const std::string& file) {
  const auto value = member(object, key);
  if (is_null(value)) return fallback;
  std::string_view result;
  if (value->get(result) != simdjson::SUCCESS) return wrong_type(file, key, "a string");
  return std::string(result);
}

}  // namespace rerankd::text::json
