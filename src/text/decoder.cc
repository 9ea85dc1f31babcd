#include "text/decoder.h"

#include <array>
#include <utility>

namespace rerankd::text {
namespace {

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0;;) {
    const std::size_t found = text.find(from, pos);
    if (found == std::string::npos) {
      out.append(text, pos, std::string::npos);
      return out;
    }
    out.append(text, pos, found - pos);
    out += to;
    pos = found + from.size();
  }
}

// tokenizers' decoders/wordpiece.rs cleanup, applied in its order.
std::string cleanup_spaces(std::string text) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kRules = {{
      {" .", "."},
      {" ?", "?"},
      {" !", "!"},
      {" ,", ","},
      {" ' ", "'"},
      {" n't", "n't"},
      {" 'm", "'m"},
      {" do not", " don't"},
      {" 's", "'s"},
      {" 've", "'ve"},
      {" 're", "'re"},
  }};
  for (const auto& [from, to] : kRules) text = replace_all(std::move(text), from, to);
  return text;
}

Result<std::string> decode(const WordPieceDecoder& decoder,
                           const std::vector<std::string_view>& tokens) {
  std::string text;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    std::string_view token = tokens[i];
    if (i > 0 && token.starts_with(decoder.prefix)) {
      token.remove_prefix(decoder.prefix.size());
    } else if (i > 0) {
      text += ' ';
    }
    text += token;
  }
  return decoder.cleanup ? cleanup_spaces(std::move(text)) : text;
}

Result<std::string> decode(const MetaspaceDecoder& decoder,
                           const std::vector<std::string_view>& tokens) {
  std::string text;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const bool drop = i == 0 && decoder.prepend_scheme != PrependScheme::kNever;
    text += replace_all(std::string(tokens[i]), decoder.replacement, drop ? "" : " ");
  }
  return text;
}

Result<std::string> decode(const JoinDecoder&, const std::vector<std::string_view>& tokens) {
  std::string text;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) text += ' ';
    text += tokens[i];
  }
  return text;
}

Result<std::string> decode(const UnsupportedDecoder& decoder,
                           const std::vector<std::string_view>&) {
  return failed_precondition("tokenizer.json decoder type '" + decoder.type +
                             "' is not supported by rerankd's /decode");
}

}  // namespace

Result<std::string> decode_tokens(const Decoder& decoder,
                                  const std::vector<std::string_view>& tokens) {
  return std::visit([&](const auto& d) { return decode(d, tokens); }, decoder);
}

}  // namespace rerankd::text
