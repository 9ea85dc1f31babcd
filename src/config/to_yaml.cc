// Config -> YAML for --print-config: every key, in table order, in a form parse_config_yaml
// reads back.
#include <cstdint>
#include <string>

#include "config/config.h"
#include "config/key_table.h"

namespace rerankd::config {
namespace {

// YAML double-quoted style: the only escapes needed are the quote, the backslash and control
// characters, so any string (a path with ':' or '#', a leading space) survives the trip.
std::string double_quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

template <typename... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};

std::string value_text(const FieldRef& field) {
  return std::visit(Overloaded{
                        [](bool* value) -> std::string { return *value ? "true" : "false"; },
                        [](int* value) { return std::to_string(*value); },
                        [](std::int64_t* value) { return std::to_string(*value); },
                        [](std::string* value) { return double_quoted(*value); },
                        [](std::vector<int>* values) {
                          std::string out = "[";
                          for (std::size_t i = 0; i < values->size(); ++i) {
                            if (i > 0) out += ", ";
                            out += std::to_string((*values)[i]);
                          }
                          return out + "]";
                        },
                    },
                    field);
}

}  // namespace

std::string to_yaml(const Config& config) {
  // The table hands out mutable field pointers; a copy keeps `config` untouched.
  Config copy = config;
  if (!copy.server.api_key.empty()) copy.server.api_key = std::string(kRedactedApiKey);
  std::string out;
  std::string_view current_section;
  for (const KeySpec& spec : key_table()) {
    const std::size_t dot = spec.key.find('.');
    const std::string_view section = spec.key.substr(0, dot);
    if (section != current_section) {
      out += std::string(section) + ":\n";
      current_section = section;
    }
    out +=
        "  " + std::string(spec.key.substr(dot + 1)) + ": " + value_text(spec.field(copy)) + "\n";
  }
  return out;
}

}  // namespace rerankd::config
