// text-embeddings-inference's POST /rerank:
//   {"query", "texts": [..], "raw_scores": false, "return_text": false, "truncate": null,
//    "truncation_direction": "right"}  ->  [{"index", "score", "text"?}], best first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engine/service.h"
#include "http/codecs/decode_limits.h"

namespace rerankd::http::codecs {

struct TeiRerankInput {
  engine::RerankRequest request;
  bool return_text = false;
};

Result<TeiRerankInput> decode_tei_rerank(std::string_view body, const DecodeLimits& limits);

// `texts` is the request's texts when return_text was asked, else null.
std::string encode_tei_rerank(const engine::RerankResponse& response,
                              const std::vector<std::string>* texts);

}  // namespace rerankd::http::codecs
