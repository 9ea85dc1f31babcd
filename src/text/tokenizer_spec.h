// Everything a Tokenizer is built from, whichever file it was loaded from.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"
#include "text/added_tokens.h"
#include "text/bert_normalizer.h"
#include "text/pair_template.h"
#include "text/tokenizer.h"
#include "text/vocab.h"
#include "text/wordpiece.h"

namespace rerankd::text {

struct TokenizerSpec {
  std::string source;  // "tokenizer.json" or "vocab.txt", for describe()
  BertNormalizerOptions normalizer;
  Vocab vocab;
  WordPieceOptions wordpiece;
  std::vector<AddedToken> added_tokens;
  PairTemplate pair_template;
  SpecialTokenIds special_ids;
};

// A Hugging Face tokenizer.json with a WordPiece model, BertNormalizer, BertPreTokenizer and a
// TemplateProcessing or BertProcessing post-processor; anything else is FailedPrecondition naming
// the file and the unsupported type.
Result<TokenizerSpec> load_tokenizer_json(const std::filesystem::path& file);

// vocab.txt plus, when `config` is not empty, transformers' tokenizer_config.json
// (do_lower_case, strip_accents, tokenize_chinese_chars, special tokens). Missing keys take
// BertTokenizer's defaults.
Result<TokenizerSpec> load_vocab_txt(const std::filesystem::path& vocab,
                                     const std::filesystem::path& config);

}  // namespace rerankd::text
