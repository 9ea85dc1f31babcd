#include "text/unicode_data.h"

#include <utf8proc.h>

namespace rerankd::text::unicode_data {
namespace {

const utf8proc_property_t* property(char32_t cp) {
  return utf8proc_get_property(static_cast<utf8proc_int32_t>(cp));
}

}  // namespace

bool is_other(char32_t cp) {
  switch (property(cp)->category) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CS:
      return true;
    default:
      return false;
  }
}

bool is_punctuation(char32_t cp) {
  switch (property(cp)->category) {
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      return true;
    default:
      return false;
  }
}

bool is_nonspacing_mark(char32_t cp) { return property(cp)->category == UTF8PROC_CATEGORY_MN; }

int combining_class(char32_t cp) { return property(cp)->combining_class; }

int decompose(char32_t cp, char32_t* out) {
  utf8proc_int32_t buffer[kMaxDecomposition];
  int last_boundclass = 0;
  const utf8proc_ssize_t n =
      utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buffer, kMaxDecomposition,
                              UTF8PROC_DECOMPOSE, &last_boundclass);
  if (n <= 0 || n > kMaxDecomposition) {
    out[0] = cp;
    return 1;
  }
  for (utf8proc_ssize_t i = 0; i < n; ++i) out[i] = static_cast<char32_t>(buffer[i]);
  return static_cast<int>(n);
}

bool has_compat_decomposition(char32_t cp) {
  // U+FDFA, the longest compatibility decomposition, has 18 code points.
  utf8proc_int32_t buffer[32];
  int last_boundclass = 0;
  const utf8proc_ssize_t n = utf8proc_decompose_char(
      static_cast<utf8proc_int32_t>(cp), buffer, 32,
      static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT), &last_boundclass);
  return n != 1 || buffer[0] != static_cast<utf8proc_int32_t>(cp);
}

char32_t simple_lowercase(char32_t cp) {
  return static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)));
}

}  // namespace rerankd::text::unicode_data
