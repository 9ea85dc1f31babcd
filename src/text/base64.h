// Standard base64 (RFC 4648, with padding) decoding, for tokenizer.json's precompiled_charsmap.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rerankd::text {

// The decoded bytes, or nullopt when `encoded` is not valid base64.
std::optional<std::string> decode_base64(std::string_view encoded);

}  // namespace rerankd::text
