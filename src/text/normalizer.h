// A tokenizer.json normalizer: one step or a Sequence of them, applied in order (Hugging Face
// normalizers/). BERT's is one BertNormalizer; XLM-RoBERTa's is Precompiled, Strip(right),
// Replace(" {2,}" -> "▁").
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "text/bert_normalizer.h"
#include "text/precompiled_charsmap.h"
#include "text/text_sink.h"

namespace rerankd::text {

// Replace: every leftmost non-overlapping match of `pattern` becomes `content`. The pattern is a
// literal string, or a literal character repeated at least `min_repeat` times (the only regex
// form tokenizer.json files use, " {2,}").
struct ReplaceStep {
  std::string literal;
  int min_repeat = 0;  // 0: `literal` is matched as a string
  std::string content;
};

// Strip: Unicode White_Space removed from the start and/or end.
struct StripStep {
  bool left = false;
  bool right = true;
};

// Prepend: `prefix` added before a non-empty text.
struct PrependStep {
  std::string prefix;
};

enum class UnicodeForm { kNfc, kNfd, kNfkc, kNfkd };
struct UnicodeFormStep {
  UnicodeForm form = UnicodeForm::kNfkc;
};

// Lowercase: Rust's char::to_lowercase on every code point.
struct LowercaseStep {};

using NormalizerStep =
    std::variant<BertNormalizer, std::shared_ptr<const PrecompiledCharsmap>, ReplaceStep, StripStep,
                 PrependStep, UnicodeFormStep, LowercaseStep>;

// Immutable; thread-safe.
class Normalizer {
 public:
  Normalizer() = default;
  explicit Normalizer(std::vector<NormalizerStep> steps) : steps_(std::move(steps)) {}

  // Appends the normalized form of valid UTF-8 `text` to `out`.
  void normalize(std::string_view text, std::string& out) const;
  // The same into `out` (cleared first), with the span of `text` (offset by `base`) each output
  // byte came from in `origin`.
  void normalize_aligned(std::string_view text, std::size_t base, std::string& out,
                         std::vector<ByteSpan>& origin) const;

  const std::vector<NormalizerStep>& steps() const { return steps_; }
  // The steps' type names, "BertNormalizer" or "Sequence[Precompiled, Strip, Replace]".
  std::string describe() const;

 private:
  std::vector<NormalizerStep> steps_;
};

}  // namespace rerankd::text
