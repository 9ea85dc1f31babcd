// Added (special) tokens matched in the raw text before normalization, as Hugging Face
// `tokenizers` does (tokenizer/added_vocabulary.rs): "what is [MASK]" gives the [MASK] id, not
// "[", "mask", "]". Only tokens with normalized=false are supported (BERT's and XLM-R's all
// are). lstrip/rstrip tokens absorb the Unicode White_Space before/after them (XLM-R's <mask>).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rerankd::text {

struct AddedToken {
  std::string content;
  std::int32_t id = -1;
  bool lstrip = false;
  bool rstrip = false;
};

// Immutable; thread-safe.
class AddedTokens {
 public:
  AddedTokens() = default;
  explicit AddedTokens(std::vector<AddedToken> tokens);

  // Calls on_text(std::string_view) for each stretch of ordinary text and
  // on_token(int32 id, size_t start, size_t end) for each added token with the bytes it covers
  // (whitespace it strips included), in order. Matches are leftmost, then longest (HF uses
  // Aho-Corasick with LeftmostLongest).
  template <typename OnText, typename OnToken>
  void split(std::string_view text, OnText&& on_text, OnToken&& on_token) const {
    std::size_t text_start = 0;
    if (!tokens_.empty()) {
      for (std::size_t pos = 0; pos < text.size(); ++pos) {
        if (!first_bytes_[static_cast<unsigned char>(text[pos])]) continue;
        const AddedToken* match = match_at(text, pos);
        if (match == nullptr) continue;
        std::size_t start = pos;
        std::size_t stop = pos + match->content.size();
        if (match->lstrip) start = std::max(text_start, whitespace_run_before(text, pos));
        if (match->rstrip) stop = whitespace_run_after(text, stop);
        if (start > text_start) on_text(text.substr(text_start, start - text_start));
        on_token(match->id, start, stop);
        pos = stop - 1;
        text_start = stop;
      }
    }
    if (text_start < text.size()) on_text(text.substr(text_start));
  }

  bool empty() const { return tokens_.empty(); }
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  const AddedToken* match_at(std::string_view text, std::size_t pos) const;
  // Where the run of White_Space that ends at `pos` starts / that starts at `pos` ends.
  static std::size_t whitespace_run_before(std::string_view text, std::size_t pos);
  static std::size_t whitespace_run_after(std::string_view text, std::size_t pos);

  std::vector<AddedToken> tokens_;       // longest first
  std::array<bool, 256> first_bytes_{};  // bytes an added token can start with
};

}  // namespace rerankd::text
