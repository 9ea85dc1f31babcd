#include "text/added_tokens.h"

#include <algorithm>

#include "text/hf_unicode.h"
#include "text/utf8.h"

namespace rerankd::text {

AddedTokens::AddedTokens(std::vector<AddedToken> tokens) : tokens_(std::move(tokens)) {
  std::erase_if(tokens_, [](const AddedToken& t) { return t.content.empty(); });
  std::stable_sort(tokens_.begin(), tokens_.end(), [](const AddedToken& a, const AddedToken& b) {
    return a.content.size() > b.content.size();
  });
  for (const AddedToken& token : tokens_) {
    first_bytes_[static_cast<unsigned char>(token.content[0])] = true;
  }
}

const AddedToken* AddedTokens::match_at(std::string_view text, std::size_t pos) const {
  const std::string_view rest = text.substr(pos);
  for (const AddedToken& token : tokens_) {
    if (rest.starts_with(token.content)) return &token;
  }
  return nullptr;
}

std::size_t AddedTokens::whitespace_run_before(std::string_view text, std::size_t pos) {
  std::size_t start = pos;
  while (start > 0) {
    std::size_t lead = start - 1;
    while (lead > 0 && (static_cast<unsigned char>(text[lead]) & 0xC0u) == 0x80u) --lead;
    std::size_t next = lead;
    if (!is_bert_whitespace(decode_utf8(text, next))) break;
    start = lead;
  }
  return start;
}

std::size_t AddedTokens::whitespace_run_after(std::string_view text, std::size_t pos) {
  while (pos < text.size()) {
    std::size_t next = pos;
    if (!is_bert_whitespace(decode_utf8(text, next))) break;
    pos = next;
  }
  return pos;
}

}  // namespace rerankd::text
