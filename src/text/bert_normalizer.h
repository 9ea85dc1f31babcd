// Hugging Face BertNormalizer (tokenizers normalizers/bert.rs): clean text, pad CJK characters
// with spaces, strip accents (NFD then drop Mn), lowercase - in that order.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace rerankd::text {

struct BertNormalizerOptions {
  bool clean_text = true;
  bool handle_chinese_chars = true;
  bool strip_accents = true;  // HF `strip_accents: null` means "same as lowercase"
  bool lowercase = true;
};

// Immutable; normalize() is thread-safe.
class BertNormalizer {
 public:
  explicit BertNormalizer(const BertNormalizerOptions& options = {});

  // Appends the normalized form of `text` (valid UTF-8) to `out`.
  void normalize(std::string_view text, std::string& out) const;

  const BertNormalizerOptions& options() const { return options_; }

 private:
  BertNormalizerOptions options_;
  // What each ASCII byte becomes after all steps; -1 when clean_text drops it. ASCII never
  // decomposes, is never a mark and is never CJK, so this is exact for ASCII input.
  std::array<std::int16_t, 128> ascii_map_{};
};

}  // namespace rerankd::text
