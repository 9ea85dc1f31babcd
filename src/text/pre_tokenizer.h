// A tokenizer.json pre-tokenizer: splits normalized text into the words the model sees (Hugging
// Face pre_tokenizers/). BertPreTokenizer (whitespace and punctuation), WhitespaceSplit,
// Metaspace (SentencePiece's "▁" word marks; it rewrites the text) and a Sequence of them.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "text/text_sink.h"

namespace rerankd::text {

// Words as ranges of `text`; `origin` (per byte of text) only when offsets are tracked.
struct Words {
  struct Range {
    std::size_t begin = 0;
    std::size_t end = 0;
    bool at_text_start = false;  // begins where the whole text begins (Metaspace "first")
  };
  std::string text;
  std::vector<ByteSpan> origin;
  std::vector<Range> ranges;

  std::string_view word(const Range& range) const {
    return std::string_view(text).substr(range.begin, range.end - range.begin);
  }
};

struct BertPreTokenizerStep {};
struct WhitespaceSplitStep {};

enum class PrependScheme { kAlways, kFirst, kNever };
struct MetaspaceStep {
  std::string replacement = "\xE2\x96\x81";  // U+2581 "▁"
  PrependScheme prepend_scheme = PrependScheme::kAlways;
  bool split = true;
};

using PreTokenizerStep = std::variant<BertPreTokenizerStep, WhitespaceSplitStep, MetaspaceStep>;

// Immutable; thread-safe.
class PreTokenizer {
 public:
  PreTokenizer() = default;
  explicit PreTokenizer(std::vector<PreTokenizerStep> steps) : steps_(std::move(steps)) {}

  // Splits `words.text` (valid UTF-8, one word: the whole text) in place. `at_text_start`: the
  // text is not a segment that follows an added token. `words.origin` is kept in step when it
  // is not empty.
  void pre_tokenize(Words& words, bool at_text_start) const;

  std::string describe() const;
  const std::vector<PreTokenizerStep>& steps() const { return steps_; }

 private:
  std::vector<PreTokenizerStep> steps_;
};

}  // namespace rerankd::text
