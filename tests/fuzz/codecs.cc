// Fuzzes the JSON request decoders of src/http/codecs, the functions the routes call on the
// request body: decode_tei_rerank (/rerank, /, /invocations), decode_cohere_rerank (/v1/rerank,
// /v2/rerank), decode_score (/score), decode_tei_predict (/predict), decode_tei_tokenize and
// decode_tei_decode (/tokenize, /decode). A decoded request is answered with made-up scores
// (or, for /tokenize and /decode, by the XLM-R fixture tokenizer) and encoded as the route
// would.
//
// Invariants (abort on violation): a decoded request holds 1..max_client_batch_size items and
// no negative max_document_tokens; /predict without a batch is one pair; with return_documents,
// one JSON document per document; every encoded answer is valid JSON, and the /tokenize and
// /decode answers are arrays of one entry per input.
//
// Input: one selector byte, then the body. Selector & 7 picks the decoder (7: all of them, one
// after the other); selector & 8 turns server.auto_truncate off. Printable seeds use '0'..'7'.
#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "fuzz_support.h"
#include "http/codecs/cohere_rerank.h"
#include "http/codecs/score_pairs.h"
#include "http/codecs/tei_predict.h"
#include "http/codecs/tei_rerank.h"
#include "http/codecs/tei_tokenize.h"
#include "text/tokenizer.h"

namespace codecs = rerankd::http::codecs;
namespace engine = rerankd::engine;

using rerankd::fuzz::fail;

namespace {

simdjson::dom::element check_json(std::string_view answer) {
  static simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(answer.data(), answer.size()).get(element) != simdjson::SUCCESS) {
    fail("the encoded answer is not JSON", answer);
  }
  return element;
}

// An answer that must be a JSON array of `count` entries.
void check_array(std::string_view answer, std::size_t count) {
  simdjson::dom::array array;
  if (check_json(answer).get_array().get(array) != simdjson::SUCCESS) {
    fail("the answer is not a JSON array", answer);
  }
  if (array.size() != count) fail("entries in the answer", std::to_string(array.size()));
}

const rerankd::text::Tokenizer& tokenizer() {
  static const rerankd::text::Tokenizer* loaded = [] {
    auto result = rerankd::text::Tokenizer::from_tokenizer_json(
        rerankd::fuzz::fixture_file("xlmr_tokenizer/tokenizer.json"));
    if (!result.ok()) fail("loading the fixture tokenizer", result.status().to_string());
    return new rerankd::text::Tokenizer(std::move(*result));
  }();
  return *loaded;
}

void check_count(std::size_t count, const codecs::DecodeLimits& limits) {
  if (count == 0 || count > limits.max_client_batch_size) {
    fail("decoded a request outside max_client_batch_size", std::to_string(count));
  }
}

void check_truncation(const engine::TruncationChoice& truncation) {
  if (truncation.max_document_tokens < 0) fail("negative max_document_tokens", "");
}

// The engine's answer: documents in reverse order, cut to top_n.
engine::RerankResponse rank(const engine::RerankRequest& request) {
  engine::RerankResponse response;
  const std::size_t n = request.documents.size();
  const std::size_t kept = request.top_n == 0 ? n : std::min(n, request.top_n);
  for (std::size_t i = 0; i < kept; ++i) {
    response.ranked.push_back({n - 1 - i, static_cast<float>(n - i) * 0.25f});
  }
  return response;
}

engine::ScoreResponse score(const engine::ScoreRequest& request) {
  engine::ScoreResponse response;
  for (std::size_t i = 0; i < request.pairs.size(); ++i) {
    response.scores.push_back(static_cast<float>(i) - 0.5f);
  }
  return response;
}

void tei_rerank(std::string_view body, const codecs::DecodeLimits& limits) {
  auto input = codecs::decode_tei_rerank(body, limits);
  if (!input.ok()) return;
  check_count(input->request.documents.size(), limits);
  check_truncation(input->request.truncation);
  const auto* texts = input->return_text ? &input->request.documents : nullptr;
  check_json(codecs::encode_tei_rerank(rank(input->request), texts));
}

void cohere_rerank(std::string_view body, const codecs::DecodeLimits& limits,
                   codecs::CohereApi api) {
  auto input = codecs::decode_cohere_rerank(body, limits, api);
  if (!input.ok()) return;
  const std::size_t documents = input->request.documents.size();
  check_count(documents, limits);
  check_truncation(input->request.truncation);
  if (input->return_documents && input->documents_json.size() != documents) {
    fail("documents_json does not match documents", std::to_string(documents));
  }
  for (const std::string& document : input->documents_json) check_json(document);
  codecs::CohereReplyContext context;
  context.api = api;
  context.id = "fuzz";
  context.model = input->model.empty() ? std::string_view("served-model") : input->model;
  context.documents = documents;
  context.documents_json = input->return_documents ? &input->documents_json : nullptr;
  check_json(codecs::encode_cohere_rerank(rank(input->request), context));
}

void score_pairs(std::string_view body, const codecs::DecodeLimits& limits) {
  auto request = codecs::decode_score(body, limits);
  if (!request.ok()) return;
  check_count(request->pairs.size(), limits);
  check_truncation(request->truncation);
  check_json(codecs::encode_score(score(*request)));
}

void tei_predict(std::string_view body, const codecs::DecodeLimits& limits) {
  auto input = codecs::decode_tei_predict(body, limits);
  if (!input.ok()) return;
  check_count(input->request.pairs.size(), limits);
  if (!input->batch && input->request.pairs.size() != 1) fail("one pair expected", "");
  check_truncation(input->request.truncation);
  check_json(codecs::encode_tei_predict(score(input->request), input->batch, "LABEL_0"));
}

void tei_tokenize(std::string_view body, const codecs::DecodeLimits& limits) {
  auto input = codecs::decode_tei_tokenize(body, limits);
  if (!input.ok()) return;
  check_count(input->inputs.size(), limits);
  auto answer = codecs::encode_tei_tokenize(*input, tokenizer());
  if (answer.ok()) check_array(*answer, input->inputs.size());
}

void tei_decode(std::string_view body, const codecs::DecodeLimits& limits) {
  auto input = codecs::decode_tei_decode(body, limits);
  if (!input.ok()) return;
  check_count(input->ids.size(), limits);
  auto answer = codecs::encode_tei_decode(*input, tokenizer());
  if (answer.ok()) check_array(*answer, input->ids.size());
}

}  // namespace

// Loads the tokenizer before the first input, outside libFuzzer's per-input timeout.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  tokenizer();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const unsigned selector = data[0];
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  codecs::DecodeLimits limits;  // the server's defaults (server.max_client_batch_size 1000)
  limits.auto_truncate = (selector & 8) == 0;
  const unsigned kind = selector & 7;
  if (kind == 0 || kind == 7) tei_rerank(body, limits);
  if (kind == 1 || kind == 7) cohere_rerank(body, limits, codecs::CohereApi::kV1);
  if (kind == 2 || kind == 7) cohere_rerank(body, limits, codecs::CohereApi::kV2);
  if (kind == 3 || kind == 7) score_pairs(body, limits);
  if (kind == 4 || kind == 7) tei_predict(body, limits);
  if (kind == 5 || kind == 7) tei_tokenize(body, limits);
  if (kind == 6 || kind == 7) tei_decode(body, limits);
  return 0;
}
