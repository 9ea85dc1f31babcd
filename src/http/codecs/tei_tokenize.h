// text-embeddings-inference's POST /tokenize and POST /decode:
//   /tokenize {"inputs": str | [str], "add_special_tokens"?: true, "prompt_name"?: null}
//     -> [[{"id", "text", "special", "start", "stop"}]]  (always a list per input; offsets in
//     bytes, null for special tokens; "text" is the input's bytes for the token, the vocabulary
//     string for a special token)
//   /decode {"ids": [int] | [[int]], "skip_special_tokens"?: true} -> [str]  (always a list)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "http/codecs/decode_limits.h"
#include "text/tokenizer.h"

namespace rerankd::http::codecs {

struct TeiTokenizeInput {
  std::vector<std::string> inputs;
  bool add_special_tokens = true;
};

Result<TeiTokenizeInput> decode_tei_tokenize(std::string_view body, const DecodeLimits& limits);

// Tokenizes every input with `tokenizer` and encodes the answer; InvalidArgument for bad UTF-8.
Result<std::string> encode_tei_tokenize(const TeiTokenizeInput& input,
                                        const text::Tokenizer& tokenizer);

struct TeiDecodeInput {
  std::vector<std::vector<std::int32_t>> ids;
  bool skip_special_tokens = true;
};

Result<TeiDecodeInput> decode_tei_decode(std::string_view body, const DecodeLimits& limits);

Result<std::string> encode_tei_decode(const TeiDecodeInput& input,
                                      const text::Tokenizer& tokenizer);

}  // namespace rerankd::http::codecs
