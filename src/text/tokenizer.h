// A cross-encoder's tokenizer, id-for-id compatible with Hugging Face `tokenizers`: the pipeline
// tokenizer.json describes (normalizer -> pre-tokenizer -> WordPiece or Unigram model -> pair
// template with truncation), so BERT's WordPiece and XLM-RoBERTa's SentencePiece Unigram are the
// same class with different data.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rerankd::text {

enum class Truncation {
  kNone,          // a pair longer than max_length is an OutOfRange error
  kLongestFirst,  // Hugging Face `longest_first` (the default)
  kOnlySecond,    // Hugging Face `only_second`: cut the document only
};

// Which end of a text truncation cuts: Hugging Face's truncation_direction.
enum class TruncationSide {
  kRight,  // keep the first tokens (the default)
  kLeft,   // keep the last tokens
};

struct TokenizeOptions {
  int max_length = 512;  // total tokens including [CLS] and both [SEP]
  Truncation truncation = Truncation::kLongestFirst;
  TruncationSide side = TruncationSide::kRight;
  // > 0: the document is cut to this many tokens (from `side`) before the pair is truncated
  // to max_length, whatever `truncation` says (Cohere's max_tokens_per_doc).
  int max_document_tokens = 0;
};

// One encoded pair: `[CLS] query [SEP] document [SEP]` (XLM-R: `<s> q </s></s> d </s>`).
struct Encoding {
  std::vector<std::int32_t> input_ids;
  std::vector<std::int32_t> token_type_ids;  // 0 for [CLS] query [SEP], 1 for document [SEP]

  std::size_t size() const { return input_ids.size(); }
  void clear() {
    input_ids.clear();
    token_type_ids.clear();
  }
};

struct SpecialTokenIds {
  std::int32_t cls = -1;
  std::int32_t sep = -1;
  std::int32_t pad = -1;
  std::int32_t unk = -1;
};

// One token of a text with where it came from, as text-embeddings-inference's /tokenize shows it.
struct TokenSpan {
  std::int32_t id = 0;
  std::size_t start = 0;  // byte offsets into the text, [start, end); 0, 0 for special tokens
  std::size_t end = 0;
  // Added by the template ([CLS], [SEP]), as HF's special_tokens_mask: an added token matched
  // in the text ("what is [MASK]") is not.
  bool special = false;
};

class TokenizerImpl;

// Immutable after construction; all methods are const and thread-safe. Copies share the vocab.
class Tokenizer {
 public:
  // tokenizer.json when `dir` has one, else vocab.txt (+ tokenizer_config.json and
  // special_tokens_map.json if present). One of them there but unreadable (a symlink loop, a
  // directory) is an error naming it, not a reason to use the next.
  static Result<Tokenizer> from_directory(const std::filesystem::path& dir);
  static Result<Tokenizer> from_tokenizer_json(const std::filesystem::path& file);
  // `tokenizer_config` and `special_tokens_map` may be empty: BertTokenizer defaults (lower
  // case, strip accents, [CLS] [SEP] [UNK] [PAD] [MASK]).
  static Result<Tokenizer> from_vocab_txt(const std::filesystem::path& vocab,
                                          const std::filesystem::path& tokenizer_config,
                                          const std::filesystem::path& special_tokens_map = {});

  // Encodes a pair into `out` (cleared first), reusing its capacity. InvalidArgument for
  // invalid UTF-8 (naming which text and the byte offset); OutOfRange when the pair is longer
  // than options.max_length and truncation is kNone.
  Status encode_pair(std::string_view query, std::string_view document,
                     const TokenizeOptions& options, Encoding& out) const;
  Result<Encoding> encode_pair(std::string_view query, std::string_view document,
                               const TokenizeOptions& options) const;

  // The pair encoding when the query's word-piece ids are already known (from encode_query):
  // a request that ranks many documents against one query tokenizes the query once. Same
  // result and errors as encode_pair for the document.
  Status encode_pair_with_query(std::span<const std::int32_t> query_ids, std::string_view document,
                                const TokenizeOptions& options, Encoding& out) const;
  // Word-piece ids of a query (`ids` cleared first); InvalidArgument naming "query" for
  // invalid UTF-8.
  Status encode_query(std::string_view query, std::vector<std::int32_t>& ids) const;

  // Word-piece ids of one text without special tokens (appended to `ids`).
  Status tokenize(std::string_view text, std::vector<std::int32_t>& ids) const;

  // The tokens of one text with their byte offsets (Hugging Face's Encoding.offsets, in bytes
  // as the Rust library keeps them), wrapped in [CLS] ... [SEP] when add_special_tokens.
  // InvalidArgument for invalid UTF-8.
  Status tokenize_with_offsets(std::string_view text, bool add_special_tokens,
                               std::vector<TokenSpan>& out) const;

  // Hugging Face's decode with the WordPiece decoder: pieces joined by spaces, "##" pieces glued
  // to the one before, then its cleanup of spaces before punctuation and contractions; with
  // skip_special_tokens the added tokens ([CLS], [SEP], [PAD], ...) are left out.
  // InvalidArgument naming the first id outside the vocabulary.
  Result<std::string> decode(std::span<const std::int32_t> ids, bool skip_special_tokens) const;

  std::string_view id_to_token(std::int32_t id) const;  // "" when out of range
  // The ids this tokenizer can produce: its vocabulary's and one per added token past it
  // (Hugging Face's get_vocab_size(with_added_tokens=True)).
  std::int32_t vocab_size() const;
  const SpecialTokenIds& special_ids() const;
  // Where it came from, e.g. "tokenizer.json (WordPiece, 30522 tokens, lowercase)".
  std::string describe() const;

 private:
  explicit Tokenizer(std::shared_ptr<const TokenizerImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const TokenizerImpl> impl_;
};

}  // namespace rerankd::text
