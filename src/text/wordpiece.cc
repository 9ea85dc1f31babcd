#include "text/wordpiece.h"

#include <algorithm>

#include "text/utf8.h"

namespace rerankd::text {
namespace {

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0u) == 0x80u; }

// Largest char boundary <= limit within `word` (limit <= word.size()).
std::size_t floor_boundary(std::string_view word, std::size_t limit) {
  while (limit < word.size() && is_continuation_byte(word[limit])) --limit;
  return limit;
}

}  // namespace

Result<WordPiece> WordPiece::create(const Vocab& vocab, const WordPieceOptions& options) {
  WordPiece model;
  model.options_ = options;
  model.unk_id_ = vocab.find(options.unk_token);
  if (model.unk_id_ == TokenMap::kMissing) {
    return invalid_argument("WordPiece unknown token '" + options.unk_token +
                            "' is not in the vocabulary");
  }
  const std::string_view prefix = options.continuing_subword_prefix;
  for (std::int32_t id = 0; id < vocab.size(); ++id) {
    const std::string_view token = vocab.token(id);
    // Skip ids whose token was replaced by a later duplicate (HF keeps the last id).
    if (token.empty() || vocab.find(token) != id) continue;
    model.initial_.insert(token, id);
    if (token.size() > prefix.size() && token.substr(0, prefix.size()) == prefix) {
      model.continuation_.insert(token.substr(prefix.size()), id);
    }
  }
  return model;
}

void WordPiece::tokenize_word(std::string_view word, std::vector<std::int32_t>& ids) const {
  if (count_code_points(word) > static_cast<std::size_t>(options_.max_input_chars_per_word)) {
    ids.push_back(unk_id_);
    return;
  }
  const std::size_t first_new = ids.size();
  std::size_t start = 0;
  while (start < word.size()) {
    const TokenMap& map = start == 0 ? initial_ : continuation_;
    // No key is longer than max_key_size(), so longer candidates need no lookup.
    std::size_t end = floor_boundary(word, std::min(word.size(), start + map.max_key_size()));
    std::int32_t id = TokenMap::kMissing;
    while (end > start) {
      id = map.find(word.substr(start, end - start));
      if (id != TokenMap::kMissing) break;
      do {
        --end;
      } while (end > start && is_continuation_byte(word[end]));
    }
    if (id == TokenMap::kMissing) {
      ids.resize(first_new);
      ids.push_back(unk_id_);
      return;
    }
    ids.push_back(id);
    start = end;
  }
}

}  // namespace rerankd::text
