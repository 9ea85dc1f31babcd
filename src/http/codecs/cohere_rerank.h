// Cohere's rerank, both API versions, and Jina's (which is Cohere's v1 shape):
//   v1  POST /v1/rerank {"model"?, "query", "documents": [str | object], "top_n"?,
//       "rank_fields"?, "return_documents"?} -> {"id", "results": [{"index", "relevance_score",
//       "document"?}], "meta", "model", "usage"}
//   v2  POST /v2/rerank {"model", "query", "documents": [str], "top_n"?,
//       "max_tokens_per_doc"?} -> {"id", "results": [{"index", "relevance_score"}], "meta"}
// Also rerankd's own `raw_scores` and `truncate`. Fields rerankd does not support
// (max_chunks_per_doc, priority, anything unknown) are refused with a 400 naming them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engine/service.h"
#include "http/codecs/decode_limits.h"

namespace rerankd::http::codecs {

enum class CohereApi { kV1, kV2 };

struct CohereRerankInput {
  engine::RerankRequest request;
  bool return_documents = false;
  std::string model;  // as the client named it; empty when absent
  // v1 with return_documents: each document as the answer repeats it, JSON text
  // ({"text": ...} for a string document, the object itself for an object).
  std::vector<std::string> documents_json;
};

// Documents that are objects (v1) are ranked on their "text" field, or with rank_fields on
// those fields as "name: value" lines in rank_fields' order (Cohere's semi-structured input;
// a field a document lacks is left out, a document with none of them is a 400).
Result<CohereRerankInput> decode_cohere_rerank(std::string_view body, const DecodeLimits& limits,
                                               CohereApi api);

struct CohereReplyContext {
  CohereApi api = CohereApi::kV1;
  std::string_view id;        // the request id
  std::string_view model;     // the client's model name, else the served model id
  std::size_t documents = 0;  // how many the request sent (for billed_units)
  const std::vector<std::string>* documents_json = nullptr;  // v1 with return_documents
};

std::string encode_cohere_rerank(const engine::RerankResponse& response,
                                 const CohereReplyContext& context);

// Cohere bills one search unit per query and up to 100 documents.
std::size_t cohere_search_units(std::size_t documents);

}  // namespace rerankd::http::codecs
