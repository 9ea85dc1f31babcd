// Pieces of the Prometheus text exposition format 0.0.4 (escaping and number spelling),
// kept apart from the registry so they can be tested on their own.
#pragma once

#include <string>
#include <string_view>

namespace rerankd::metrics {

// # HELP text: backslash and newline are escaped.
std::string escape_help(std::string_view text);

// A label value: backslash, double quote and newline are escaped.
std::string escape_label_value(std::string_view text);

// The shortest text that reads back as the same double ("0.005", "1", "1e-06"); "+Inf",
// "-Inf" and "NaN" as the format spells them.
std::string format_double(double value);

}  // namespace rerankd::metrics
