// Everything a Tokenizer is built from, whichever file it was loaded from: the Hugging Face
// pipeline as data (normalizer, pre-tokenizer, model, post-processor, decoder), so a new model
// family is a different spec, not a different tokenizer.
#pragma once

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"
#include "text/added_tokens.h"
#include "text/decoder.h"
#include "text/normalizer.h"
#include "text/pair_template.h"
#include "text/pre_tokenizer.h"
#include "text/tokenizer.h"
#include "text/unigram.h"
#include "text/vocab.h"
#include "text/wordpiece.h"

namespace rerankd::text {

using ModelSpec = std::variant<WordPieceOptions, UnigramOptions>;

struct TokenizerSpec {
  std::string source;  // "tokenizer.json" or "vocab.txt", for describe()
  Normalizer normalizer;
  PreTokenizer pre_tokenizer;
  Vocab vocab;
  ModelSpec model;
  Decoder decoder;
  std::vector<AddedToken> added_tokens;
  PairTemplate pair_template;
  SpecialTokenIds special_ids;
};

// A Hugging Face tokenizer.json with a WordPiece or Unigram model and the normalizers,
// pre-tokenizers and post-processors normalizer.h, pre_tokenizer.h and pair_template.h list;
// anything else is FailedPrecondition naming the file and the unsupported type.
Result<TokenizerSpec> load_tokenizer_json(const std::filesystem::path& file);

// vocab.txt plus, when `config` is not empty, transformers' tokenizer_config.json
// (do_lower_case, strip_accents, tokenize_chinese_chars, special tokens), and, when
// `special_tokens_map` is not empty, the special token names of special_tokens_map.json over
// those. Missing keys take BertTokenizer's defaults.
Result<TokenizerSpec> load_vocab_txt(const std::filesystem::path& vocab,
                                     const std::filesystem::path& config,
                                     const std::filesystem::path& special_tokens_map = {});

}  // namespace rerankd::text
