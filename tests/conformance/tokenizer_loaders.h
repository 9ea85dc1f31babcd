// The two ways the conformance tests load bert-base-uncased: tokenizer.json, and vocab.txt with
// tokenizer_config.json.
#pragma once

#include <string>

#include "text/tokenizer.h"

namespace rerankd::testing {

inline const std::string kTokenizerLoaders[] = {"tokenizer_json", "vocab_txt"};

// Loads the shared bert-base-uncased tokenizer the named way; fails the test (FAIL) on error.
text::Tokenizer load_bert_tokenizer(const std::string& loader);

}  // namespace rerankd::testing
