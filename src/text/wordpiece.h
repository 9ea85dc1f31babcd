// Hugging Face WordPiece model (tokenizers models/wordpiece/mod.rs): greedy longest-match-first
// sub-words, continuation pieces carry a prefix ("##"), and a word with any unmatchable part or
// more than max_input_chars_per_word characters becomes the single unknown token.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "text/token_map.h"
#include "text/vocab.h"

namespace rerankd::text {

struct WordPieceOptions {
  std::string unk_token = "[UNK]";
  std::string continuing_subword_prefix = "##";
  int max_input_chars_per_word = 100;
};

// Immutable; tokenize_word() is thread-safe.
class WordPiece {
 public:
  // InvalidArgument when the unknown token is not in the vocabulary.
  static Result<WordPiece> create(const Vocab& vocab, const WordPieceOptions& options);

  // Appends the ids of one pre-tokenized word (valid UTF-8, non-empty) to `ids`.
  void tokenize_word(std::string_view word, std::vector<std::int32_t>& ids) const;

  std::int32_t unk_id() const { return unk_id_; }
  const WordPieceOptions& options() const { return options_; }

 private:
  WordPiece() = default;

  WordPieceOptions options_;
  std::int32_t unk_id_ = -1;
  // Word-initial pieces: every vocab entry as written. Continuation pieces: entries that start
  // with the prefix, stored without it, so a lookup needs no string concatenation.
  TokenMap initial_;
  TokenMap continuation_;
};

}  // namespace rerankd::text
