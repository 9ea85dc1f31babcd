#include "text/precompiled_charsmap.h"

#include <utf8proc.h>

#include <cstring>

#include "text/utf8.h"

namespace rerankd::text {
namespace {

// darts-clone unit fields (darts.h: DoubleArrayUnit).
bool has_leaf(std::uint32_t unit) { return ((unit >> 8) & 1u) == 1u; }
std::uint32_t value_of(std::uint32_t unit) { return unit & ((1u << 31) - 1); }
std::uint32_t label_of(std::uint32_t unit) { return unit & ((1u << 31) | 0xFFu); }
std::uint32_t offset_of(std::uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }

std::uint32_t read_u32(std::string_view bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  }
  return value;
}

std::size_t code_point_length(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

}  // namespace

Result<PrecompiledCharsmap> PrecompiledCharsmap::parse(std::string_view charsmap) {
  if (charsmap.size() < 4) return invalid_argument("precompiled_charsmap is shorter than 4 bytes");
  const std::uint32_t trie_bytes = read_u32(charsmap, 0);
  if (trie_bytes % 4 != 0 || trie_bytes == 0 || trie_bytes > charsmap.size() - 4) {
    return invalid_argument("precompiled_charsmap: trie size " + std::to_string(trie_bytes) +
                            " does not fit its " + std::to_string(charsmap.size()) + " bytes");
  }
  PrecompiledCharsmap map;
  map.units_.resize(trie_bytes / 4);
  for (std::size_t i = 0; i < map.units_.size(); ++i) map.units_[i] = read_u32(charsmap, 4 + 4 * i);
  map.replacements_ = std::string(charsmap.substr(4 + trie_bytes));
  if (!map.replacements_.empty() && map.replacements_.back() != '\0') map.replacements_ += '\0';
  if (find_invalid_utf8(map.replacements_) != kValidUtf8) {
    return invalid_argument("precompiled_charsmap: replacement strings are not valid UTF-8");
  }
  for (int c = 0; c < 128; ++c) {
    const char byte = static_cast<char>(c);
    const auto found = map.transform(std::string_view(&byte, 1));
    map.ascii_offset_[static_cast<std::size_t>(c)] =
        found ? static_cast<std::int32_t>(found->data() - map.replacements_.data()) : kUnchanged;
  }
  return map;
}

std::optional<std::string_view> PrecompiledCharsmap::transform(std::string_view chunk) const {
  // darts-clone commonPrefixSearch, stopping at the first (shortest) key; a NUL byte ends the
  // key, which is why U+0000 can never be mapped.
  std::size_t node = offset_of(units_[0]);
  for (const char byte : chunk) {
    const auto c = static_cast<unsigned char>(byte);
    if (c == 0) break;
    node ^= c;
    if (node >= units_.size()) return std::nullopt;
    const std::uint32_t unit = units_[node];
    if (label_of(unit) != c) return std::nullopt;
    node ^= offset_of(unit);
    if (node >= units_.size()) return std::nullopt;
    if (has_leaf(unit)) {
      const std::size_t at = value_of(units_[node]);
      if (at >= replacements_.size()) return std::nullopt;
      return std::string_view(replacements_.data() + at);
    }
  }
  return std::nullopt;
}

void PrecompiledCharsmap::apply_cluster(std::string_view text, std::size_t begin, std::size_t end,
                                        TextSink& sink) const {
  if (end - begin < 6) {
    if (const auto replaced = transform(text.substr(begin, end - begin))) {
      sink.replace_chars(*replaced, text, begin, end);
      return;
    }
  }
  for (std::size_t p = begin; p < end;) {
    const std::size_t q = p + code_point_length(static_cast<unsigned char>(text[p]));
    if (const auto replaced = transform(text.substr(p, q - p))) {
      sink.replace_chars(*replaced, text, p, q);
    } else {
      sink.copy(text, p, q);
    }
    p = q;
  }
}

void PrecompiledCharsmap::apply(std::string_view text, TextSink& sink) const {
  std::size_t p = 0;
  utf8proc_int32_t state = 0;
  while (p < text.size()) {
    const auto lead = static_cast<unsigned char>(text[p]);
    // Fast path: an ASCII character other than CR followed by ASCII (or the end) is a cluster.
    if (lead < 0x80 && lead != '\r' &&
        (p + 1 == text.size() || static_cast<unsigned char>(text[p + 1]) < 0x80)) {
      const std::int32_t at = ascii_offset_[lead];
      if (at == kUnchanged) {
        sink.copy(text, p, p + 1);
      } else {
        sink.replace_chars(std::string_view(replacements_.data() + at), text, p, p + 1);
      }
      ++p;
      state = 0;
      continue;
    }
    // One extended grapheme cluster (UAX #29), as Rust's unicode-segmentation gives it.
    std::size_t end = p;
    char32_t previous = decode_utf8(text, end);
    state = 0;
    while (end < text.size()) {
      std::size_t next = end;
      const char32_t cp = decode_utf8(text, next);
      if (utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(previous),
                                           static_cast<utf8proc_int32_t>(cp), &state)) {
        break;
      }
      previous = cp;
      end = next;
    }
    apply_cluster(text, p, end, sink);
    p = end;
  }
}

}  // namespace rerankd::text
