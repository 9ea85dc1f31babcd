// The WordPiece vocabulary: token <-> id, from vocab.txt (one token per line, id = line number)
// or from tokenizer.json's model.vocab object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "text/token_map.h"

namespace rerankd::text {

class Vocab {
 public:
  // Like HF WordPiece::read_file: each line, right-trimmed, is the token whose id is its line
  // number; a repeated token keeps its last id.
  static Result<Vocab> from_vocab_txt(const std::filesystem::path& path);

  // InvalidArgument when id is negative.
  Status add(std::string_view token, std::int32_t id);

  std::int32_t find(std::string_view token) const { return ids_.find(token); }
  std::string_view token(std::int32_t id) const;  // "" when out of range
  // One past the largest id.
  std::int32_t size() const { return static_cast<std::int32_t>(tokens_.size()); }
  const TokenMap& map() const { return ids_; }

 private:
  TokenMap ids_;
  std::vector<std::string> tokens_;
};

}  // namespace rerankd::text
