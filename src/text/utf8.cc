#include "text/utf8.h"

#include <cstdint>
#include <cstring>

namespace rerankd::text {

std::size_t find_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII fast path: eight bytes at a time while none has the high bit set.
    while (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, s + i, 8);
      if (word & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char b0 = s[i];
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    char32_t min_cp;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
      min_cp = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      min_cp = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      min_cp = 0x10000;
    } else {
      return i;  // continuation byte, overlong lead (C0/C1) or F5..FF
    }
    if (i + len > n) return i;
    char32_t cp = b0 & (0x7Fu >> len);
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0u) != 0x80u) return i;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return kValidUtf8;
}

}  // namespace rerankd::text
