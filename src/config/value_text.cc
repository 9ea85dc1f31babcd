#include "config/value_text.h"

#include <charconv>
#include <limits>
#include <vector>

namespace rerankd::config {
namespace {

// Long enough for any sensible value; a pasted blob should not flood the message.
constexpr std::size_t kMaxQuotedChars = 64;

template <typename... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

template <typename Int>
Result<Int> parse_integer(std::string_view text) {
  Int value{};
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error == std::errc::result_out_of_range) {
    return invalid_argument("expected an integer, got " + quote_for_message(text) +
                            " (out of range " + std::to_string(std::numeric_limits<Int>::min()) +
                            ".." + std::to_string(std::numeric_limits<Int>::max()) + ")");
  }
  if (text.empty() || error != std::errc() || ptr != end) {
    return invalid_argument("expected an integer, got " + quote_for_message(text));
  }
  return value;
}

Result<std::vector<int>> parse_int_list(std::string_view text) {
  std::vector<int> values;
  const auto fail = [&] {
    return invalid_argument("expected an integer or a list of integers such as 0,1, got " +
                            quote_for_message(text));
  };
  std::string_view rest = text;
  while (true) {
    const std::size_t comma = rest.find(',');
    const Result<int> value = parse_int(trim(rest.substr(0, comma)));
    if (!value.ok()) return fail();
    values.push_back(*value);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return values;
}

}  // namespace

std::string_view expected_description(const FieldRef& field) {
  return std::visit(
      Overloaded{
          [](bool*) -> std::string_view { return "true or false"; },
          [](int*) -> std::string_view { return "an integer"; },
          [](std::int64_t*) -> std::string_view { return "an integer"; },
          [](std::string*) -> std::string_view { return "a string"; },
          [](std::vector<int>*) -> std::string_view { return "an integer or a list of integers"; },
      },
      field);
}

std::string quote_for_message(std::string_view text) {
  std::string quoted = "'";
  for (std::size_t i = 0; i < text.size() && i < kMaxQuotedChars; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    // Control characters would garble a log line; show them as \xNN.
    if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      quoted += "\\x";
      quoted += kHex[c >> 4];
      quoted += kHex[c & 0xf];
    } else {
      quoted += static_cast<char>(c);
    }
  }
  if (text.size() > kMaxQuotedChars) quoted += "...";
  quoted += "'";
  return quoted;
}

Result<int> parse_int(std::string_view text) { return parse_integer<int>(text); }

Result<std::int64_t> parse_int64(std::string_view text) {
  return parse_integer<std::int64_t>(text);
}

Result<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return invalid_argument("expected true or false, got " + quote_for_message(text));
}

Status set_field_from_text(const FieldRef& field, std::string_view text) {
  return std::visit(Overloaded{
                        [&](bool* target) -> Status {
                          RERANKD_ASSIGN_OR_RETURN(*target, parse_bool(text));
                          return {};
                        },
                        [&](int* target) -> Status {
                          RERANKD_ASSIGN_OR_RETURN(*target, parse_int(text));
                          return {};
                        },
                        [&](std::int64_t* target) -> Status {
                          RERANKD_ASSIGN_OR_RETURN(*target, parse_int64(text));
                          return {};
                        },
                        [&](std::string* target) -> Status {
                          target->assign(text);
                          return {};
                        },
                        [&](std::vector<int>* target) -> Status {
                          RERANKD_ASSIGN_OR_RETURN(*target, parse_int_list(text));
                          return {};
                        },
                    },
                    field);
}

}  // namespace rerankd::config
