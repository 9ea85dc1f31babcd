// The truncation fields shared by the codecs: `truncate` (null or absent means the server's
// auto_truncate) and, for text-embeddings-inference's routes, `truncation_direction`.
#pragma once

#include <simdjson.h>

#include "common/result.h"
#include "engine/service.h"
#include "http/codecs/decode_limits.h"

namespace rerankd::http::codecs {

Result<bool> decode_truncate(const simdjson::dom::object& object, const DecodeLimits& limits);

// `truncate` plus TEI's `truncation_direction`: "right" / "Right" (the default) or "left" /
// "Left", as TEI 1.9 accepts them; anything else is a 400 naming the field.
Result<engine::TruncationChoice> decode_tei_truncation(const simdjson::dom::object& object,
                                                       const DecodeLimits& limits);

}  // namespace rerankd::http::codecs
