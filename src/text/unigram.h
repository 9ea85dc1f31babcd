// Hugging Face Unigram model (tokenizers models/unigram/model.rs, encode_optimized): the
// segmentation of a word into pieces with the highest total log-probability (Viterbi), where a
// character no piece covers costs the lowest piece score minus 10 and consecutive unknown
// characters fuse into one unknown token. Ties keep the path whose last piece starts earliest.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "text/piece_trie.h"
#include "text/vocab.h"

namespace rerankd::text {

struct UnigramOptions {
  std::vector<double> scores;  // per id, as in tokenizer.json's model.vocab
  std::int32_t unk_id = -1;
  bool byte_fallback = false;  // unknown text as <0xXX> byte pieces when all of them exist
};

// Immutable; tokenize_word() is thread-safe.
class Unigram {
 public:
  // InvalidArgument when unk_id is missing or outside the vocabulary.
  static Result<Unigram> create(const Vocab& vocab, UnigramOptions options);

  // Appends the ids of one pre-tokenized word (valid UTF-8) to `ids`; with `ends`, also the
  // byte offset in `word` where each token ends.
  void tokenize_word(std::string_view word, std::vector<std::int32_t>& ids,
                     std::vector<std::size_t>* ends = nullptr) const;

  std::int32_t unk_id() const { return options_.unk_id; }
  const UnigramOptions& options() const { return options_; }

 private:
  Unigram() = default;
  void push_unknown(std::string_view text, std::size_t end, std::vector<std::int32_t>& ids,
                    std::vector<std::size_t>* ends) const;

  UnigramOptions options_;
  const Vocab* vocab_ = nullptr;  // owned by the tokenizer, outlives the model
  PieceTrie trie_;
  double unk_score_ = 0;
  std::int32_t byte_ids_[256] = {};  // <0xXX> pieces for byte fallback, -1 when absent
};

}  // namespace rerankd::text
