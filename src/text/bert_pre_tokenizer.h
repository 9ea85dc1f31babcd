// Hugging Face BertPreTokenizer (tokenizers pre_tokenizers/bert.rs): split on whitespace
// (dropped) and on punctuation (each punctuation character becomes its own word).
#pragma once

#include <string_view>
#include <vector>

namespace rerankd::text {

// Appends the words of `text` (valid UTF-8) to `words`, as views into `text`.
void bert_pre_tokenize(std::string_view text, std::vector<std::string_view>& words);

}  // namespace rerankd::text
