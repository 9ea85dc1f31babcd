// Current Unicode data from utf8proc (categories, canonical decomposition, simple lowercase),
// before any Hugging Face adjustment. hf_unicode.h builds the HF-exact classes on top; the dump
// tool uses these raw answers to regenerate the adjustment tables.
#pragma once

namespace rerankd::text::unicode_data {

inline constexpr int kMaxDecomposition = 8;

bool is_other(char32_t cp);            // Cc, Cf, Co or Cs (Cn excluded, like HF's is_other in use)
bool is_punctuation(char32_t cp);      // Pc Pd Ps Pe Pi Pf Po
bool is_nonspacing_mark(char32_t cp);  // Mn
int combining_class(char32_t cp);
// Full canonical decomposition into out[0..n), n returned (1 and out[0] = cp when none).
int decompose(char32_t cp, char32_t* out);
// Whether cp has a compatibility (or canonical) decomposition: NFKD changes it.
bool has_compat_decomposition(char32_t cp);
char32_t simple_lowercase(char32_t cp);

}  // namespace rerankd::text::unicode_data
