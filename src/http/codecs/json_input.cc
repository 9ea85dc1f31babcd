#include "http/codecs/json_input.h"

#include <string>

namespace rerankd::http::codecs {

namespace dom = simdjson::dom;

Result<dom::object> parse_object(std::string_view body) {
  // One parser per I/O thread: a parser reuses its buffers and is not thread-safe.
  thread_local dom::parser parser;
  dom::element root;
  // realloc_if_needed: the body is a plain std::string without simdjson's padding.
  simdjson::error_code error = parser.parse(body.data(), body.size(), true).get(root);
  if (error) {
    return invalid_argument(std::string("request body is not valid JSON: ") +
                            simdjson::error_message(error));
  }
  dom::object object;
  if (root.get_object().get(object)) return type_error("request body", "an object", root);
  return object;
}

std::string_view json_type_name(dom::element_type type) {
  switch (type) {
    case dom::element_type::ARRAY:
      return "array";
    case dom::element_type::OBJECT:
      return "object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return "number";
    case dom::element_type::STRING:
      return "string";
    case dom::element_type::BOOL:
      return "bool";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "unknown";
}

Status type_error(std::string_view field, std::string_view expected, const dom::element& got) {
  return failed_precondition(std::string(field) + ": expected " + std::string(expected) + ", got " +
                             std::string(json_type_name(got.type())));
}

std::optional<dom::element> find_field(const dom::object& object, std::string_view key) {
  dom::element element;
  if (object.at_key(key).get(element)) return std::nullopt;
  return element;
}

Result<std::string_view> as_string(const dom::element& element, std::string_view field) {
  std::string_view text;
  if (element.get_string().get(text)) return type_error(field, "a string", element);
  return text;
}

Result<std::string_view> required_string(const dom::object& object, std::string_view key) {
  std::optional<dom::element> element = find_field(object, key);
  if (!element) return invalid_argument("missing field \"" + std::string(key) + "\"");
  return as_string(*element, key);
}

Result<bool> optional_bool(const dom::object& object, std::string_view key, bool fallback) {
  std::optional<dom::element> element = find_field(object, key);
  if (!element || element->is_null()) return fallback;
  bool value = false;
  if (element->get_bool().get(value)) return type_error(key, "a bool", *element);
  return value;
}

Result<dom::array> required_array(const dom::object& object, std::string_view key) {
  std::optional<dom::element> element = find_field(object, key);
  if (!element) return invalid_argument("missing field \"" + std::string(key) + "\"");
  dom::array array;
  if (element->get_array().get(array)) return type_error(key, "an array", *element);
  return array;
}

Result<std::int64_t> optional_positive_int(const dom::object& object, std::string_view key) {
  std::optional<dom::element> element = find_field(object, key);
  if (!element || element->is_null()) return std::int64_t{0};
  std::int64_t value = 0;
  if (element->get_int64().get(value)) return type_error(key, "an integer", *element);
  if (value < 1) {
    return invalid_argument(std::string(key) + ": " + std::to_string(value) + " is less than 1");
  }
  return value;
}

Status check_known_fields(const dom::object& object, std::initializer_list<std::string_view> known,
                          std::string_view route) {
  for (dom::key_value_pair field : object) {
    bool found = false;
    for (std::string_view name : known) found = found || field.key == name;
    if (found) continue;
    std::string accepted;
    for (std::string_view name : known) {
      if (!accepted.empty()) accepted += ", ";
      accepted += name;
    }
    std::string key(field.key.substr(0, 64));
    for (char& c : key) c = (c >= 0x20 && c <= 0x7E) ? c : '?';
    return invalid_argument("\"" + key + "\": not a field rerankd's " + std::string(route) +
                            " supports (it takes " + accepted + ")");
  }
  return Status::ok_status();
}

}  // namespace rerankd::http::codecs
