#include "text/bert_pre_tokenizer.h"

#include <array>
#include <cstdint>

#include "text/hf_unicode.h"
#include "text/utf8.h"

namespace rerankd::text {
namespace {

enum CharClass : std::uint8_t { kWord, kSpace, kPunct };

constexpr std::array<std::uint8_t, 128> make_ascii_classes() {
  std::array<std::uint8_t, 128> classes{};
  for (char32_t c = 0; c < 128; ++c) {
    // Mirrors is_bert_whitespace / is_bert_punctuation for ASCII (constexpr copy of the rule).
    if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
      classes[c] = kSpace;
    } else if ((c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
               (c >= 0x7B && c <= 0x7E)) {
      classes[c] = kPunct;
    } else {
      classes[c] = kWord;
    }
  }
  return classes;
}

constexpr std::array<std::uint8_t, 128> kAsciiClasses = make_ascii_classes();

}  // namespace

void bert_pre_tokenize(std::string_view text, std::vector<std::string_view>& words) {
  std::size_t word_start = 0;
  std::size_t pos = 0;
  const auto close_word = [&](std::size_t end) {
    if (end > word_start) words.push_back(text.substr(word_start, end - word_start));
  };
  while (pos < text.size()) {
    const std::size_t start = pos;
    const auto byte = static_cast<unsigned char>(text[pos]);
    std::uint8_t cls;
    if (byte < 0x80) {
      cls = kAsciiClasses[byte];
      ++pos;
    } else {
      const char32_t cp = decode_utf8(text, pos);
      cls = is_bert_whitespace(cp) ? kSpace : is_bert_punctuation(cp) ? kPunct : kWord;
    }
    if (cls == kWord) continue;
    close_word(start);
    if (cls == kPunct) words.push_back(text.substr(start, pos - start));
    word_start = pos;
  }
  close_word(pos);
}

}  // namespace rerankd::text
