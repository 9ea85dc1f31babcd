#include "text/hf_unicode.h"

#include <algorithm>
#include <array>

#include "text/unicode_data.h"

namespace rerankd::text {
namespace {

struct CodeRange {
  char32_t first;
  char32_t last;
};
struct LowercaseMapping {
  char32_t from;
  char32_t to;
};

// Generated tables of HF's differences from utf8proc. What the parity check found
// (tokenizers 0.23.3 against utf8proc 2.8.0 / Unicode 15.0):
// - HF's `unicode_categories` crate predates Unicode 9: marks (Mn) and punctuation (P*) added
//   since are neither stripped nor split off, and the format characters U+0890, U+0891, U+08E2,
//   U+110CD... survive clean_text. Three characters it still has in their old category
//   (U+166D, U+111C9 punctuation; U+1734 a nonspacing mark).
// - HF's NFD table predates Unicode 13: U+11938 does not decompose.
// - Rust's to_lowercase follows Unicode 16, newer than utf8proc: 55 more mappings (Garay,
//   Tolong Siki, Latin Extended-D additions, ...).
#include "text/hf_unicode_tables.inc"

template <std::size_t N>
bool in_ranges(const std::array<CodeRange, N>& ranges, char32_t cp) {
  if constexpr (N == 0) {
    return false;
  } else {
    const auto it = std::upper_bound(ranges.begin(), ranges.end(), cp,
                                     [](char32_t c, const CodeRange& r) { return c < r.first; });
    return it != ranges.begin() && cp <= std::prev(it)->last;
  }
}

}  // namespace

bool is_clean_text_removed(char32_t cp) {
  if (cp == 0 || cp == 0xFFFD) return true;
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  if (unicode_data::is_other(cp)) return !in_ranges(kHfNotOther, cp);
  return in_ranges(kHfExtraOther, cp);
}

bool is_bert_whitespace(char32_t cp) {
  // Rust char::is_whitespace is the Unicode White_Space property, which has been stable since
  // Unicode 6.3 (U+180E left it then).
  if (cp <= 0x7F) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
  switch (cp) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

bool is_bert_punctuation(char32_t cp) {
  if (cp <= 0x7F) {
    // char::is_ascii_punctuation: includes the ASCII symbols ($ + < = > ^ ` | ~) too.
    return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) || (cp >= 0x5B && cp <= 0x60) ||
           (cp >= 0x7B && cp <= 0x7E);
  }
  if (unicode_data::is_punctuation(cp)) return !in_ranges(kHfNotPunctuation, cp);
  return in_ranges(kHfExtraPunctuation, cp);
}

bool is_chinese_char(char32_t cp) {
  // The ranges of HF normalizers/bert.rs is_chinese_char (note 0x2B920, not 0x2B820).
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

bool is_nonspacing_mark(char32_t cp) {
  if (unicode_data::is_nonspacing_mark(cp)) return !in_ranges(kHfNotNonspacingMark, cp);
  return in_ranges(kHfExtraNonspacingMark, cp);
}

int combining_class(char32_t cp) { return unicode_data::combining_class(cp); }

int nfd_decompose(char32_t cp, char32_t* out) {
  static_assert(kMaxDecomposition == unicode_data::kMaxDecomposition);
  if (in_ranges(kHfNoDecomposition, cp)) {
    out[0] = cp;
    return 1;
  }
  return unicode_data::decompose(cp, out);
}

bool hf_keeps_undecomposed(char32_t cp, bool compat) {
  return compat ? in_ranges(kHfNoCompatDecomposition, cp) : in_ranges(kHfNoDecomposition, cp);
}

int to_lowercase(char32_t cp, char32_t* out) {
  if (cp < 0x80) {
    out[0] = (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    return 1;
  }
  // The one code point whose Rust lowercase is two characters (SpecialCasing.txt, unconditional).
  if (cp == 0x130) {
    out[0] = 'i';
    out[1] = 0x307;
    return 2;
  }
  const auto it =
      std::lower_bound(kHfLowercase.begin(), kHfLowercase.end(), cp,
                       [](const LowercaseMapping& m, char32_t c) { return m.from < c; });
  out[0] =
      (it != kHfLowercase.end() && it->from == cp) ? it->to : unicode_data::simple_lowercase(cp);
  return 1;
}

}  // namespace rerankd::text
