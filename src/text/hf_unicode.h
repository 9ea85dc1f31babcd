// Character classes and mappings exactly as Hugging Face `tokenizers` (Rust) applies them in
// BertNormalizer (normalizers/bert.rs) and BertPreTokenizer (pre_tokenizers/bert.rs).
//
// HF builds these from three sources with different Unicode versions: Rust std
// (char::is_whitespace, char::to_lowercase), the `unicode_categories` crate (is_other,
// is_punctuation, is_mark_nonspacing) and `unicode-normalization-alignments` (NFD). We use
// utf8proc for the data and correct it where the parity check (tools/check_unicode_parity.py)
// found HF disagreeing; each correction says why.
#pragma once

#include <cstdint>

namespace rerankd::text {

// Dropped by BertNormalizer's clean_text: NUL, U+FFFD and "control" (HF is_control: the
// unicode_categories `is_other` set, minus \t \n \r).
bool is_clean_text_removed(char32_t cp);

// Rust char::is_whitespace plus \t \n \r (already in it); clean_text maps these to ' ' and
// BertPreTokenizer splits on them.
bool is_bert_whitespace(char32_t cp);

// BertPreTokenizer's punctuation: ASCII punctuation or a Unicode P* category.
bool is_bert_punctuation(char32_t cp);

// BertNormalizer::is_chinese_char: the CJK blocks HF pads with spaces.
bool is_chinese_char(char32_t cp);

// Unicode Mn (nonspacing mark), removed after NFD when accents are stripped.
bool is_nonspacing_mark(char32_t cp);

// Canonical combining class, used for NFD's canonical reordering.
int combining_class(char32_t cp);

// Canonical decomposition (NFD) of one code point into out[0..n), n returned (1 when none).
// out must hold kMaxDecomposition entries.
inline constexpr int kMaxDecomposition = 8;
int nfd_decompose(char32_t cp, char32_t* out);

// Whether HF's (older) normalization table leaves cp alone although utf8proc decomposes it: a
// code point assigned after that table, which HF's NFC/NFD (`compat` false) or NFKC/NFKD
// (`compat` true) pass through unchanged.
bool hf_keeps_undecomposed(char32_t cp, bool compat);

// Rust char::to_lowercase into out[0..n), n returned (U+0130 gives two). out holds 3 entries.
int to_lowercase(char32_t cp, char32_t* out);

}  // namespace rerankd::text
