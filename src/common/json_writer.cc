#include "common/json_writer.h"

#include <charconv>
#include <cmath>

namespace rerankd::json {
namespace {

template <typename T>
void append_chars(std::string& out, T value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, result.ptr);
}

template <typename Float>
void append_float(std::string& out, Float value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  append_chars(out, value);  // shortest round-trip representation
}

}  // namespace

namespace {

bool needs_escape(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || c == '"' || c == '\\';
}

void append_escaped(std::string& out, char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    default: {
      const auto byte = static_cast<unsigned char>(c);
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
}

}  // namespace

void append_string(std::string& out, std::string_view text) {
  // Runs of plain bytes are appended whole: request bodies of a thousand passages are mostly
  // plain text, and a byte-at-a-time append made this the harness client's hottest function.
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!needs_escape(text[i])) continue;
    out.append(text, run_start, i - run_start);
    append_escaped(out, text[i]);
    run_start = i + 1;
  }
  out.append(text, run_start, text.size() - run_start);
  out += '"';
}

void append_number(std::string& out, float value) { append_float(out, value); }
void append_number(std::string& out, double value) { append_float(out, value); }
void append_number(std::string& out, std::int64_t value) { append_chars(out, value); }

void append_array(std::string& out, std::span<const std::int32_t> values) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    append_chars(out, values[i]);
  }
  out += ']';
}

}  // namespace rerankd::json
