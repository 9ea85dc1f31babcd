#include "http/openapi.h"

#include "common/json_writer.h"

namespace rerankd::http {
namespace {

// Kept as one literal so that it reads like the document it is; the version is spliced in.
constexpr std::string_view kBeforeVersion =
    R"json({"openapi":"3.0.3","info":{"title":"rerankd","description":"Reranks (query, passage) pairs with BERT cross-encoders. Compatible with text-embeddings-inference's /rerank and Cohere/Jina's /v1/rerank.","license":{"name":"Apache-2.0"},"version":)json";

constexpr std::string_view kAfterVersion = R"json(},
"paths":{
"/rerank":{"post":{"summary":"Rerank texts against a query (text-embeddings-inference format)","operationId":"rerank","security":[{"bearer":[]},{}],
 "requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/TeiRerankRequest"}}}},
 "responses":{"200":{"description":"Texts ranked best first","headers":{"x-request-id":{"$ref":"#/components/headers/RequestId"},"x-tokenization-time":{"$ref":"#/components/headers/TokenizationTime"},"x-queue-time":{"$ref":"#/components/headers/QueueTime"},"x-inference-time":{"$ref":"#/components/headers/InferenceTime"},"x-total-time":{"$ref":"#/components/headers/TotalTime"}},"content":{"application/json":{"schema":{"type":"array","items":{"$ref":"#/components/schemas/TeiRank"}}}}},
  "400":{"$ref":"#/components/responses/BadRequest"},"401":{"$ref":"#/components/responses/Unauthorized"},"413":{"$ref":"#/components/responses/TooLarge"},"422":{"$ref":"#/components/responses/Unprocessable"},"429":{"$ref":"#/components/responses/Overloaded"},"500":{"$ref":"#/components/responses/Internal"},"503":{"$ref":"#/components/responses/Unavailable"},"504":{"$ref":"#/components/responses/DeadlineExceeded"}}}},
"/v1/rerank":{"post":{"summary":"Rerank documents against a query (Cohere / Jina format)","operationId":"rerank_v1","security":[{"bearer":[]},{}],
 "requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/CohereRerankRequest"}}}},
 "responses":{"200":{"description":"Documents ranked best first, cut to top_n","headers":{"x-request-id":{"$ref":"#/components/headers/RequestId"},"x-tokenization-time":{"$ref":"#/components/headers/TokenizationTime"},"x-queue-time":{"$ref":"#/components/headers/QueueTime"},"x-inference-time":{"$ref":"#/components/headers/InferenceTime"},"x-total-time":{"$ref":"#/components/headers/TotalTime"}},"content":{"application/json":{"schema":{"$ref":"#/components/schemas/CohereRerankResponse"}}}},
  "400":{"$ref":"#/components/responses/BadRequest"},"401":{"$ref":"#/components/responses/Unauthorized"},"413":{"$ref":"#/components/responses/TooLarge"},"422":{"$ref":"#/components/responses/Unprocessable"},"429":{"$ref":"#/components/responses/Overloaded"},"500":{"$ref":"#/components/responses/Internal"},"503":{"$ref":"#/components/responses/Unavailable"},"504":{"$ref":"#/components/responses/DeadlineExceeded"}}}},
"/score":{"post":{"summary":"Score (query, passage) pairs, in input order","operationId":"score","security":[{"bearer":[]},{}],
 "requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/ScoreRequest"}}}},
 "responses":{"200":{"description":"One score per pair","headers":{"x-request-id":{"$ref":"#/components/headers/RequestId"},"x-tokenization-time":{"$ref":"#/components/headers/TokenizationTime"},"x-queue-time":{"$ref":"#/components/headers/QueueTime"},"x-inference-time":{"$ref":"#/components/headers/InferenceTime"},"x-total-time":{"$ref":"#/components/headers/TotalTime"}},"content":{"application/json":{"schema":{"$ref":"#/components/schemas/ScoreResponse"}}}},
  "400":{"$ref":"#/components/responses/BadRequest"},"401":{"$ref":"#/components/responses/Unauthorized"},"413":{"$ref":"#/components/responses/TooLarge"},"422":{"$ref":"#/components/responses/Unprocessable"},"429":{"$ref":"#/components/responses/Overloaded"},"500":{"$ref":"#/components/responses/Internal"},"503":{"$ref":"#/components/responses/Unavailable"},"504":{"$ref":"#/components/responses/DeadlineExceeded"}}}},
"/health":{"get":{"summary":"Liveness: 200 while the process runs (no API key needed)","operationId":"health","security":[],
 "responses":{"200":{"description":"Alive","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Status"}}}}}}},
"/ready":{"get":{"summary":"Readiness: 200 once the model is loaded and warmed, 503 before and while shutting down","operationId":"ready","security":[{"bearer":[]},{}],
 "responses":{"200":{"description":"Ready","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Status"}}}},"401":{"$ref":"#/components/responses/Unauthorized"},"503":{"$ref":"#/components/responses/Unavailable"}}}},
"/metrics":{"get":{"summary":"Prometheus metrics (text exposition format 0.0.4)","operationId":"metrics","security":[{"bearer":[]},{}],
 "responses":{"200":{"description":"Metrics","content":{"text/plain":{"schema":{"type":"string"}}}},"401":{"$ref":"#/components/responses/Unauthorized"}}}},
"/info":{"get":{"summary":"Model, backend, dtype, limits and version","operationId":"info","security":[{"bearer":[]},{}],
 "responses":{"200":{"description":"Service info","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Info"}}}},"401":{"$ref":"#/components/responses/Unauthorized"}}}},
"/openapi.json":{"get":{"summary":"This document","operationId":"openapi","security":[{"bearer":[]},{}],
 "responses":{"200":{"description":"OpenAPI 3.0 document","content":{"application/json":{"schema":{"type":"object"}}}},"401":{"$ref":"#/components/responses/Unauthorized"}}}}
},
"components":{
"securitySchemes":{"bearer":{"type":"http","scheme":"bearer","description":"Required on every route but /health when the server has an api_key"}},
"headers":{
 "RequestId":{"description":"The client's x-request-id, or a generated one","schema":{"type":"string"}},
 "TokenizationTime":{"description":"Milliseconds tokenizing","schema":{"type":"number"}},
 "QueueTime":{"description":"Milliseconds of the longest queue wait of any pair","schema":{"type":"number"}},
 "InferenceTime":{"description":"Milliseconds from first batch start to last batch end","schema":{"type":"number"}},
 "TotalTime":{"description":"Milliseconds from arrival to answer","schema":{"type":"number"}}},
"schemas":{
 "TeiRerankRequest":{"type":"object","required":["query","texts"],"properties":{
  "query":{"type":"string","example":"what is deep learning?"},
  "texts":{"type":"array","minItems":1,"items":{"type":"string"},"description":"At most max_client_batch_size texts"},
  "raw_scores":{"type":"boolean","default":false,"description":"Return logits instead of activated scores"},
  "return_text":{"type":"boolean","default":false},
  "truncate":{"type":"boolean","nullable":true,"default":null,"description":"null: the server's auto_truncate; false: a pair over max_length is a 413"},
  "truncation_direction":{"type":"string","enum":["right","Right"],"default":"right"}}},
 "TeiRank":{"type":"object","required":["index","score"],"properties":{
  "index":{"type":"integer","minimum":0},"score":{"type":"number"},"text":{"type":"string"}}},
 "CohereRerankRequest":{"type":"object","required":["query","documents"],"properties":{
  "model":{"type":"string","description":"Echoed in the answer; the served model is used regardless"},
  "query":{"type":"string"},
  "documents":{"type":"array","minItems":1,"items":{"oneOf":[{"type":"string"},{"type":"object","required":["text"],"properties":{"text":{"type":"string"}}}]}},
  "top_n":{"type":"integer","minimum":1,"description":"Return only the best top_n; all when absent"},
  "return_documents":{"type":"boolean","default":false},
  "raw_scores":{"type":"boolean","default":false},
  "truncate":{"type":"boolean","nullable":true,"default":null}}},
 "CohereRerankResponse":{"type":"object","required":["id","results","model","usage"],"properties":{
  "id":{"type":"string"},
  "results":{"type":"array","items":{"type":"object","required":["index","relevance_score"],"properties":{
   "index":{"type":"integer","minimum":0},"relevance_score":{"type":"number"},
   "document":{"type":"object","properties":{"text":{"type":"string"}}}}}},
  "model":{"type":"string"},
  "usage":{"type":"object","properties":{"total_tokens":{"type":"integer"}}}}},
 "ScoreRequest":{"type":"object","required":["pairs"],"properties":{
  "pairs":{"type":"array","minItems":1,"items":{"type":"array","minItems":2,"maxItems":2,"items":{"type":"string"}},"description":"[query, passage] pairs"},
  "raw_scores":{"type":"boolean","default":false},
  "truncate":{"type":"boolean","nullable":true,"default":null}}},
 "ScoreResponse":{"type":"object","required":["scores"],"properties":{"scores":{"type":"array","items":{"type":"number"}}}},
 "Status":{"type":"object","properties":{"status":{"type":"string"}}},
 "Info":{"type":"object","properties":{
  "model_id":{"type":"string"},"model_dir":{"type":"string"},"backend":{"type":"string"},"dtype":{"type":"string"},"device":{"type":"string"},
  "max_length":{"type":"integer"},"max_client_batch_size":{"type":"integer"},"max_concurrency":{"type":"integer"},"threads_per_worker":{"type":"integer"},"max_batch_size":{"type":"integer"},
  "random_weights":{"type":"boolean"},"version":{"type":"string"}}},
 "Error":{"type":"object","required":["error","error_type"],"properties":{"error":{"type":"string"},"error_type":{"type":"string"}}}},
"responses":{
 "BadRequest":{"description":"Malformed JSON, a missing field, an empty list (error_type validation)","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},
 "Unauthorized":{"description":"API key missing or wrong (error_type unauthorized)","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},
 "TooLarge":{"description":"More documents than max_client_batch_size, a pair over max_length with truncation off, or a body over the size limit (error_type too_large)","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},
 "Unprocessable":{"description":"A field of the wrong JSON type (error_type unprocessable)","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},
 "Overloaded":{"description":"Queue full (error_type overloaded)","headers":{"Retry-After":{"description":"Seconds to wait","schema":{"type":"integer"}}},"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},
 "Internal":{"description":"A bug or a backend failure (error_type internal)","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},
 "Unavailable":{"description":"Not ready or shutting down (error_type unavailable)","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},
 "DeadlineExceeded":{"description":"request_timeout_ms passed before the answer (error_type deadline_exceeded)","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}}}}
})json";

}  // namespace

std::string openapi_document(std::string_view version) {
  std::string out;
  out.reserve(kBeforeVersion.size() + kAfterVersion.size() + 32);
  out += kBeforeVersion;
  json::append_string(out, version);
  out += kAfterVersion;
  return out;
}

}  // namespace rerankd::http
