// A small JSON writer for responses and CLI output: strings escaped per RFC 8259, floats written
// so that they read back to the same float.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace rerankd::json {

// Appends `text` as a quoted JSON string. The text must be valid UTF-8 (callers validate input).
void append_string(std::string& out, std::string_view text);

// Appends the shortest decimal form that round-trips `value`; NaN and infinities as null
// (JSON has no such numbers; callers that can produce them report an error instead).
void append_number(std::string& out, float value);
void append_number(std::string& out, double value);
void append_number(std::string& out, std::int64_t value);

// Appends `[a,b,c]`.
void append_array(std::string& out, std::span<const std::int32_t> values);

}  // namespace rerankd::json
