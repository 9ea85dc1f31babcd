// rerankd's POST /score: {"pairs": [[query, passage], ..], "raw_scores"?: false,
// "truncate"?: null} -> {"scores": [..]} in input order.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "common/result.h"
#include "engine/service.h"
#include "http/codecs/decode_limits.h"

namespace rerankd::http::codecs {

Result<engine::ScoreRequest> decode_score(std::string_view body, const DecodeLimits& limits);

// One [query, passage] array of two strings (also TEI's /predict pairs); errors name `field`.
Result<engine::OwnedPair> decode_query_passage(const simdjson::dom::array& pair,
                                               std::string_view field);

std::string encode_score(const engine::ScoreResponse& response);

}  // namespace rerankd::http::codecs
