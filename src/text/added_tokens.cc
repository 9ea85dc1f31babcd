#include "text/added_tokens.h"

#include <algorithm>

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

}  // namespace rerankd::text
