// The `truncate` field shared by the codecs: null or absent means the server's auto_truncate.
#pragma once

#include <simdjson.h>

#include "common/result.h"
#include "http/codecs/decode_limits.h"

namespace rerankd::http::codecs {

Result<bool> decode_truncate(const simdjson::dom::object& object, const DecodeLimits& limits);

}  // namespace rerankd::http::codecs
