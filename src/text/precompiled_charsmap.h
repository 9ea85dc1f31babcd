// SentencePiece's precompiled normalization (Hugging Face normalizers::Precompiled, the first
// normalizer of every XLM-RoBERTa tokenizer.json). The charsmap is SentencePiece's own format:
// a little-endian u32 byte size, a darts-clone double-array trie of that size whose values are
// offsets, and a blob of NUL-terminated replacement strings those offsets point into.
//
// Hugging Face applies it per extended grapheme cluster: a cluster shorter than 6 bytes is
// looked up whole, and the shortest trie key that is a prefix of it replaces the whole cluster
// (so "fi" + U+0301 becomes "fi"); otherwise each code point is looked up alone.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "text/text_sink.h"

namespace rerankd::text {

// Immutable; thread-safe.
class PrecompiledCharsmap {
 public:
  // `charsmap` is the decoded (not base64) bytes; InvalidArgument when it is malformed.
  static Result<PrecompiledCharsmap> parse(std::string_view charsmap);

  // Normalizes valid UTF-8 `text` into `sink`.
  void apply(std::string_view text, TextSink& sink) const;

  // The replacement of the shortest trie key that prefixes `chunk`, if any.
  std::optional<std::string_view> transform(std::string_view chunk) const;

 private:
  PrecompiledCharsmap() = default;
  void apply_cluster(std::string_view text, std::size_t begin, std::size_t end,
                     TextSink& sink) const;

  std::vector<std::uint32_t> units_;  // the double-array trie
  std::string replacements_;          // NUL-terminated strings
  // What each ASCII character becomes (an ASCII character followed by another is a cluster of
  // its own, the common case); `kUnchanged` when the trie has no entry for it.
  static constexpr std::int32_t kUnchanged = -1;
  std::array<std::int32_t, 128> ascii_offset_{};
};

}  // namespace rerankd::text
