#include "http/openapi.h"

#include "common/json_writer.h"

namespace rerankd::http {
namespace {

// Kept as one literal so that it reads like the document it is; the version is spliced in.
constexpr std::string_view kBeforeVersion =
    R"json({"openapi":"3.0.3","info":{"title":"rerankd","description":"Reranks (query, passage) pairs with cross-encoders. Compatible with text-embeddings-inference (/rerank, /, /invocations, /predict, /tokenize, /decode), Cohere v1 and Jina (/v1/rerank) and Cohere v2 (/v2/rerank).","license":{"name":"Apache-2.0"},"version":)json";

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
"/":{"post":{"summary":"Rerank texts against a query (text-embeddings-inference's route for a reranker)","operationId":"rerank_root","security":[{"bearer":[]},{}],
 "requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/TeiRerankRequest"}}}},
 "responses":{"200":{"description":"Texts ranked best first","headers":{"x-request-id":{"$ref":"#/components/headers/RequestId"},"x-tokenization-time":{"$ref":"#/components/headers/TokenizationTime"},"x-queue-time":{"$ref":"#/components/headers/QueueTime"},"x-inference-time":{"$ref":"#/components/headers/InferenceTime"},"x-total-time":{"$ref":"#/components/headers/TotalTime"}},"content":{"application/json":{"schema":{"type":"array","items":{"$ref":"#/components/schemas/TeiRank"}}}}},
  "400":{"$ref":"#/components/responses/BadRequest"},"401":{"$ref":"#/components/responses/Unauthorized"},"413":{"$ref":"#/components/responses/TooLarge"},"422":{"$ref":"#/components/responses/Unprocessable"},"429":{"$ref":"#/components/responses/Overloaded"},"500":{"$ref":"#/components/responses/Internal"},"503":{"$ref":"#/components/responses/Unavailable"},"504":{"$ref":"#/components/responses/DeadlineExceeded"}}}},
"/invocations":{"post":{"summary":"Rerank texts against a query (SageMaker's route, as text-embeddings-inference serves it)","operationId":"rerank_invocations","security":[{"bearer":[]},{}],
 "requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/TeiRerankRequest"}}}},
 "responses":{"200":{"description":"Texts ranked best first","headers":{"x-request-id":{"$ref":"#/components/headers/RequestId"},"x-tokenization-time":{"$ref":"#/components/headers/TokenizationTime"},"x-queue-time":{"$ref":"#/components/headers/QueueTime"},"x-inference-time":{"$ref":"#/components/headers/InferenceTime"},"x-total-time":{"$ref":"#/components/headers/TotalTime"}},"content":{"application/json":{"schema":{"type":"array","items":{"$ref":"#/components/schemas/TeiRank"}}}}},
  "400":{"$ref":"#/components/responses/BadRequest"},"401":{"$ref":"#/components/responses/Unauthorized"},"413":{"$ref":"#/components/responses/TooLarge"},"422":{"$ref":"#/components/responses/Unprocessable"},"429":{"$ref":"#/components/responses/Overloaded"},"500":{"$ref":"#/components/responses/Internal"},"503":{"$ref":"#/components/responses/Unavailable"},"504":{"$ref":"#/components/responses/DeadlineExceeded"}}}},
"/predict":{"post":{"summary":"Score (query, passage) pairs with their label (text-embeddings-inference format)","operationId":"predict","security":[{"bearer":[]},{}],
 "requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/TeiPredictRequest"}}}},
 "responses":{"200":{"description":"One [{score, label}] per pair; for a single pair, that list alone","headers":{"x-request-id":{"$ref":"#/components/headers/RequestId"},"x-tokenization-time":{"$ref":"#/components/headers/TokenizationTime"},"x-queue-time":{"$ref":"#/components/headers/QueueTime"},"x-inference-time":{"$ref":"#/components/headers/InferenceTime"},"x-total-time":{"$ref":"#/components/headers/TotalTime"}},"content":{"application/json":{"schema":{"oneOf":[{"type":"array","items":{"$ref":"#/components/schemas/TeiPrediction"}},{"type":"array","items":{"type":"array","items":{"$ref":"#/components/schemas/TeiPrediction"}}}]}}}},
  "400":{"$ref":"#/components/responses/BadRequest"},"401":{"$ref":"#/components/responses/Unauthorized"},"413":{"$ref":"#/components/responses/TooLarge"},"422":{"$ref":"#/components/responses/Unprocessable"},"429":{"$ref":"#/components/responses/Overloaded"},"500":{"$ref":"#/components/responses/Internal"},"503":{"$ref":"#/components/responses/Unavailable"},"504":{"$ref":"#/components/responses/DeadlineExceeded"}}}},
"/v2/rerank":{"post":{"summary":"Rerank documents against a query (Cohere v2 format)","operationId":"rerank_v2","security":[{"bearer":[]},{}],
 "requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/CohereV2RerankRequest"}}}},
 "responses":{"200":{"description":"Documents ranked best first, cut to top_n","headers":{"x-request-id":{"$ref":"#/components/headers/RequestId"},"x-tokenization-time":{"$ref":"#/components/headers/TokenizationTime"},"x-queue-time":{"$ref":"#/components/headers/QueueTime"},"x-inference-time":{"$ref":"#/components/headers/InferenceTime"},"x-total-time":{"$ref":"#/components/headers/TotalTime"}},"content":{"application/json":{"schema":{"$ref":"#/components/schemas/CohereV2RerankResponse"}}}},
  "400":{"$ref":"#/components/responses/BadRequest"},"401":{"$ref":"#/components/responses/Unauthorized"},"413":{"$ref":"#/components/responses/TooLarge"},"422":{"$ref":"#/components/responses/Unprocessable"},"429":{"$ref":"#/components/responses/Overloaded"},"500":{"$ref":"#/components/responses/Internal"},"503":{"$ref":"#/components/responses/Unavailable"},"504":{"$ref":"#/components/responses/DeadlineExceeded"}}}},
"/tokenize":{"post":{"summary":"The served model's tokens for each text, with byte offsets (text-embeddings-inference format)","operationId":"tokenize","security":[{"bearer":[]},{}],
 "requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/TokenizeRequest"}}}},
 "responses":{"200":{"description":"One list of tokens per input","content":{"application/json":{"schema":{"type":"array","items":{"type":"array","items":{"$ref":"#/components/schemas/SimpleToken"}}}}}},
  "400":{"$ref":"#/components/responses/BadRequest"},"401":{"$ref":"#/components/responses/Unauthorized"},"413":{"$ref":"#/components/responses/TooLarge"},"422":{"$ref":"#/components/responses/Unprocessable"}}}},
"/decode":{"post":{"summary":"Text for token ids (text-embeddings-inference format)","operationId":"decode","security":[{"bearer":[]},{}],
 "requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/DecodeRequest"}}}},
 "responses":{"200":{"description":"One text per list of ids","content":{"application/json":{"schema":{"type":"array","items":{"type":"string"}}}}},
  "400":{"$ref":"#/components/responses/BadRequest"},"401":{"$ref":"#/components/responses/Unauthorized"},"413":{"$ref":"#/components/responses/TooLarge"},"422":{"$ref":"#/components/responses/Unprocessable"}}}},
"/score":{"post":{"summary":"Score (query, passage) pairs, in input order","operationId":"score","security":[{"bearer":[]},{}],
 "requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/ScoreRequest"}}}},
 "responses":{"200":{"description":"One score per pair","headers":{"x-request-id":{"$ref":"#/components/headers/RequestId"},"x-tokenization-time":{"$ref":"#/components/headers/TokenizationTime"},"x-queue-time":{"$ref":"#/components/headers/QueueTime"},"x-inference-time":{"$ref":"#/components/headers/InferenceTime"},"x-total-time":{"$ref":"#/components/headers/TotalTime"}},"content":{"application/json":{"schema":{"$ref":"#/components/schemas/ScoreResponse"}}}},
  "400":{"$ref":"#/components/responses/BadRequest"},"401":{"$ref":"#/components/responses/Unauthorized"},"413":{"$ref":"#/components/responses/TooLarge"},"422":{"$ref":"#/components/responses/Unprocessable"},"429":{"$ref":"#/components/responses/Overloaded"},"500":{"$ref":"#/components/responses/Internal"},"503":{"$ref":"#/components/responses/Unavailable"},"504":{"$ref":"#/components/responses/DeadlineExceeded"}}}},
"/health":{"get":{"summary":"Liveness: 200 while the process runs (no API key needed; also GET /)","operationId":"health","security":[],
 "responses":{"200":{"description":"Alive","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Status"}}}}}}},
"/ping":{"get":{"summary":"Liveness, as SageMaker and text-embeddings-inference name it (no API key needed)","operationId":"ping","security":[],
 "responses":{"200":{"description":"Alive","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Status"}}}}}}},
"/ready":{"get":{"summary":"Readiness: 200 once the model is loaded and warmed, 503 before and while shutting down (no API key needed)","operationId":"ready","security":[],
 "responses":{"200":{"description":"Ready","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Status"}}}},"503":{"$ref":"#/components/responses/Unavailable"}}}},
"/metrics":{"get":{"summary":"Prometheus metrics (text exposition format 0.0.4); server.metrics decides whether it needs the API key or exists at all","operationId":"metrics","security":[{"bearer":[]},{}],
 "responses":{"200":{"description":"Metrics","content":{"text/plain":{"schema":{"type":"string"}}}},"401":{"$ref":"#/components/responses/Unauthorized"}}}},
"/docs":{"get":{"summary":"Swagger UI for this document (no API key needed)","operationId":"docs","security":[],
 "responses":{"200":{"description":"HTML","content":{"text/html":{"schema":{"type":"string"}}}}}}},
"/info":{"get":{"summary":"Model, backend, dtype, limits and version","operationId":"info","security":[{"bearer":[]},{}],
 "responses":{"200":{"description":"Service info","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Info"}}}},"401":{"$ref":"#/components/responses/Unauthorized"}}}},
"/openapi.json":{"get":{"summary":"This document (no API key needed)","operationId":"openapi","security":[],
 "responses":{"200":{"description":"OpenAPI 3.0 document","content":{"application/json":{"schema":{"type":"object"}}}}}}}
},
"components":{
"securitySchemes":{"bearer":{"type":"http","scheme":"bearer","description":"Required on every route but the probes (and /metrics unless server.metrics is api_key) when the server has an api_key"}},
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
  "truncation_direction":{"$ref":"#/components/schemas/TruncationDirection"}}},
 "TruncationDirection":{"type":"string","enum":["right","left"],"default":"right","description":"Which end of a text truncation cuts; TEI's \"Right\" and \"Left\" are accepted too"},
 "TeiPredictRequest":{"type":"object","required":["inputs"],"properties":{
  "inputs":{"oneOf":[{"type":"array","minItems":2,"maxItems":2,"items":{"type":"string"}},{"type":"array","minItems":1,"items":{"type":"array","minItems":2,"maxItems":2,"items":{"type":"string"}}}],"description":"One [query, passage] pair or a list of them (a cross-encoder scores pairs: a single text is refused)"},
  "raw_scores":{"type":"boolean","default":false},
  "truncate":{"type":"boolean","nullable":true,"default":null},
  "truncation_direction":{"$ref":"#/components/schemas/TruncationDirection"}}},
 "TokenizeRequest":{"type":"object","required":["inputs"],"properties":{
  "inputs":{"oneOf":[{"type":"string"},{"type":"array","minItems":1,"items":{"type":"string"}}]},
  "add_special_tokens":{"type":"boolean","default":true},
  "prompt_name":{"type":"string","nullable":true,"description":"Only null: a cross-encoder has no prompts"}}},
 "SimpleToken":{"type":"object","required":["id","text","special"],"properties":{
  "id":{"type":"integer"},"text":{"type":"string"},"special":{"type":"boolean"},
  "start":{"type":"integer","nullable":true,"description":"Byte offset in the input; null for special tokens"},
  "stop":{"type":"integer","nullable":true}}},
 "DecodeRequest":{"type":"object","required":["ids"],"properties":{
  "ids":{"oneOf":[{"type":"array","minItems":1,"items":{"type":"integer"}},{"type":"array","minItems":1,"items":{"type":"array","items":{"type":"integer"}}}]},
  "skip_special_tokens":{"type":"boolean","default":true}}},
 "TeiPrediction":{"type":"object","required":["score","label"],"properties":{"score":{"type":"number"},"label":{"type":"string"}}},
 "TeiRank":{"type":"object","required":["index","score"],"properties":{
  "index":{"type":"integer","minimum":0},"score":{"type":"number"},"text":{"type":"string"}}},
 "CohereRerankRequest":{"type":"object","required":["query","documents"],"properties":{
  "model":{"type":"string","nullable":true,"description":"Echoed in the answer; the served model is used regardless"},
  "query":{"type":"string"},
  "documents":{"type":"array","minItems":1,"items":{"oneOf":[{"type":"string"},{"type":"object","additionalProperties":true,"properties":{"text":{"type":"string"}}}]},"description":"Strings, or objects ranked on \"text\" or on rank_fields"},
  "top_n":{"type":"integer","minimum":1,"nullable":true,"description":"Return only the best top_n; all when absent"},
  "rank_fields":{"type":"array","nullable":true,"items":{"type":"string"},"description":"Object documents are ranked on these fields, as \"name: value\" lines in this order"},
  "return_documents":{"type":"boolean","nullable":true,"default":false,"description":"Each result carries its document as sent ({\"text\"} for a string)"},
  "max_chunks_per_doc":{"type":"integer","nullable":true,"description":"Not supported: only null is accepted"},
  "raw_scores":{"type":"boolean","default":false},
  "truncate":{"type":"boolean","nullable":true,"default":null}}},
 "CohereMeta":{"type":"object","properties":{
  "api_version":{"type":"object","properties":{"version":{"type":"string"}}},
  "billed_units":{"type":"object","properties":{"search_units":{"type":"integer"}}},
  "tokens":{"type":"object","properties":{"input_tokens":{"type":"integer"},"output_tokens":{"type":"integer"}}}}},
 "CohereRerankResponse":{"type":"object","required":["id","results"],"properties":{
  "id":{"type":"string"},
  "results":{"type":"array","items":{"type":"object","required":["index","relevance_score"],"properties":{
   "index":{"type":"integer","minimum":0},"relevance_score":{"type":"number"},
   "document":{"type":"object","additionalProperties":true,"properties":{"text":{"type":"string"}}}}}},
  "meta":{"$ref":"#/components/schemas/CohereMeta"},
  "model":{"type":"string"},
  "usage":{"type":"object","properties":{"total_tokens":{"type":"integer"}}}}},
 "CohereV2RerankRequest":{"type":"object","required":["query","documents"],"properties":{
  "model":{"type":"string","nullable":true,"description":"Echoed nowhere; the served model is used regardless"},
  "query":{"type":"string"},
  "documents":{"type":"array","minItems":1,"items":{"type":"string"}},
  "top_n":{"type":"integer","minimum":1,"nullable":true},
  "max_tokens_per_doc":{"type":"integer","minimum":1,"nullable":true,"description":"Each document is cut to this many tokens first"},
  "priority":{"type":"integer","nullable":true,"description":"Not supported: only null is accepted"},
  "raw_scores":{"type":"boolean","default":false},
  "truncate":{"type":"boolean","nullable":true,"default":null}}},
 "CohereV2RerankResponse":{"type":"object","required":["id","results"],"properties":{
  "id":{"type":"string"},
  "results":{"type":"array","items":{"type":"object","required":["index","relevance_score"],"properties":{
   "index":{"type":"integer","minimum":0},"relevance_score":{"type":"number"}}}},
  "meta":{"$ref":"#/components/schemas/CohereMeta"}}},
 "ScoreRequest":{"type":"object","required":["pairs"],"properties":{
  "pairs":{"type":"array","minItems":1,"items":{"type":"array","minItems":2,"maxItems":2,"items":{"type":"string"}},"description":"[query, passage] pairs"},
  "raw_scores":{"type":"boolean","default":false},
  "truncate":{"type":"boolean","nullable":true,"default":null}}},
 "ScoreResponse":{"type":"object","required":["scores"],"properties":{"scores":{"type":"array","items":{"type":"number"}}}},
 "Status":{"type":"object","properties":{"status":{"type":"string"}}},
 "Info":{"type":"object","properties":{
  "model_id":{"type":"string"},"model_dir":{"type":"string"},"architecture":{"type":"string"},"tokenizer":{"type":"string"},"backend":{"type":"string"},"dtype":{"type":"string"},"device":{"type":"string"},
  "max_length":{"type":"integer"},"max_client_batch_size":{"type":"integer"},"max_concurrency":{"type":"integer"},"threads_per_worker":{"type":"integer"},"max_batch_size":{"type":"integer"},
  "random_weights":{"type":"boolean"},"version":{"type":"string"},
  "model_sha":{"type":"string","nullable":true},"model_dtype":{"type":"string"},"served_model_name":{"type":"string"},
  "model_type":{"type":"object","additionalProperties":true,"description":"TEI's: {\"reranker\": {\"id2label\", \"label2id\"}}"},
  "max_concurrent_requests":{"type":"integer"},"max_input_length":{"type":"integer"},"max_batch_tokens":{"type":"integer"},"max_batch_requests":{"type":"integer"},
  "auto_truncate":{"type":"boolean"},"tokenization_workers":{"type":"integer"},"sha":{"type":"string"},"docker_label":{"type":"string","nullable":true},
  "max_queue_pairs":{"type":"integer"},"build_type":{"type":"string"},"compiler":{"type":"string"}}},
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
