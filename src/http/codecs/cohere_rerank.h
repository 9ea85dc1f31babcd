// Cohere / Jina's POST /v1/rerank:
//   {"model"?, "query", "documents": [str | {"text"}], "top_n"?, "return_documents": false}
//   -> {"id", "results": [{"index", "relevance_score", "document"?: {"text"}}], "model",
//       "usage": {"total_tokens"}}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engine/service.h"
#include "http/codecs/decode_limits.h"

namespace rerankd::http::codecs {

struct CohereRerankInput {
  engine::RerankRequest request;
  bool return_documents = false;
  std::string model;  // as the client named it; empty when absent
};

Result<CohereRerankInput> decode_cohere_rerank(std::string_view body, const DecodeLimits& limits);

struct CohereReplyContext {
  std::string_view id;     // the request id
  std::string_view model;  // the client's model name, else the served model id
  const std::vector<std::string>* documents = nullptr;  // when return_documents
};

std::string encode_cohere_rerank(const engine::RerankResponse& response,
                                 const CohereReplyContext& context);

}  // namespace rerankd::http::codecs
