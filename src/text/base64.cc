#include "text/base64.h"

#include <array>

namespace rerankd::text {
namespace {

constexpr std::array<signed char, 256> make_table() {
  std::array<signed char, 256> table{};
  table.fill(-1);
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<signed char>(i);
  }
  return table;
}

constexpr auto kTable = make_table();

}  // namespace

std::optional<std::string> decode_base64(std::string_view encoded) {
  while (!encoded.empty() && encoded.back() == '=') encoded.remove_suffix(1);
  if (encoded.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(encoded.size() / 4 * 3 + 2);
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : encoded) {
    const signed char value = kTable[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFFu));
    }
  }
  return out;
}

}  // namespace rerankd::text
