// The tokenizers the conformance tests check: bert-base-uncased loaded two ways (tokenizer.json,
// and vocab.txt with tokenizer_config.json), and the SentencePiece Unigram tokenizer of
// XLM-RoBERTa's kind in tests/fixtures/xlmr_tokenizer.
#pragma once

#include <string>

#include "text/tokenizer.h"

namespace rerankd::testing {

inline const std::string kTokenizerLoaders[] = {"tokenizer_json", "vocab_txt", "xlmr"};

// Loads the named tokenizer; throws on error.
text::Tokenizer load_bert_tokenizer(const std::string& loader);

// The fixture folder (under tests/fixtures) with the named tokenizer's expected ids.
std::string fixture_folder(const std::string& loader);

}  // namespace rerankd::testing
