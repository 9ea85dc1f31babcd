#include "text/added_token_ids.h"

#include <algorithm>
#include <utility>

namespace rerankd::text {

void add_added_token(const Vocab& vocab, AddedToken token, std::vector<AddedToken>& added) {
  const auto same_content = [&token](const AddedToken& other) {
    return other.content == token.content;
  };
  if (std::any_of(added.begin(), added.end(), same_content)) return;
  const std::int32_t in_vocab = vocab.find(token.content);
  token.id = in_vocab >= 0 ? in_vocab : id_space(vocab, added);
  added.push_back(std::move(token));
}

std::int32_t id_space(const Vocab& vocab, const std::vector<AddedToken>& added) {
  std::int32_t space = vocab.size();
  for (const AddedToken& token : added) space = std::max(space, token.id + 1);
  return space;
}

const AddedToken* find_added_token(const std::vector<AddedToken>& added, std::int32_t id) {
  for (const AddedToken& token : added) {
    if (token.id == id) return &token;
  }
  return nullptr;
}

}  // namespace rerankd::text
