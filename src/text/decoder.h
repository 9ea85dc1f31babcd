// A tokenizer.json decoder: token strings back to text (Hugging Face decoders/), for /decode.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "text/pre_tokenizer.h"

namespace rerankd::text {

// WordPiece: tokens joined by spaces, continuation pieces glued on, then the cleanup of spaces
// before punctuation and in contractions.
struct WordPieceDecoder {
  std::string prefix = "##";
  bool cleanup = true;
};

// Metaspace: tokens concatenated with the replacement turned back into spaces; the first
// token's leading one dropped unless the prepend scheme is never.
struct MetaspaceDecoder {
  std::string replacement = "\xE2\x96\x81";
  PrependScheme prepend_scheme = PrependScheme::kAlways;
};

// No decoder in tokenizer.json: tokens joined by spaces (HF's default).
struct JoinDecoder {};

// A decoder rerankd does not implement; decoding reports it rather than guessing.
struct UnsupportedDecoder {
  std::string type;
};

using Decoder = std::variant<WordPieceDecoder, MetaspaceDecoder, JoinDecoder, UnsupportedDecoder>;

// FailedPrecondition for an UnsupportedDecoder.
Result<std::string> decode_tokens(const Decoder& decoder,
                                  const std::vector<std::string_view>& tokens);

}  // namespace rerankd::text
