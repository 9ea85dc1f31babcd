#include "metrics/text_format.h"

#include <charconv>
#include <cmath>

namespace rerankd::metrics {
namespace {

std::string escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string escape_help(std::string_view text) { return escape(text, /*quote=*/false); }

std::string escape_label_value(std::string_view text) { return escape(text, /*quote=*/true); }

std::string format_double(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  // A double's shortest form is at most 24 characters, so to_chars cannot fail here.
  if (ec != std::errc()) return "NaN";
  return std::string(buffer, end);
}

}  // namespace rerankd::metrics
