// POST /rerank (text-embeddings-inference; also POST / and /invocations, as TEI serves a
// reranker there), POST /v1/rerank (Cohere v1 / Jina) and POST /v2/rerank (Cohere v2): all
// decode into one engine::RerankRequest; the engine sorts and cuts to top_n, HTTP only encodes.
#include <memory>
#include <string>
#include <vector>

#include "http/codecs/cohere_rerank.h"
#include "http/codecs/tei_rerank.h"
#include "http/error_map.h"
#include "http/routes.h"

namespace rerankd::http {
namespace {

// The answer: an error, or the encoded body; encoding runs on the connection's executor.
template <typename Encode>
Respond answer(engine::RerankResponse response, std::size_t pairs, ErrorDialect dialect,
               Encode encode) {
  return [response = std::move(response), pairs, dialect, encode = std::move(encode)]() {
    if (!response.status.ok()) {
      HttpResponse error = error_response(response.status, dialect);
      error.pairs = pairs;
      return error;
    }
    HttpResponse http;
    http.body = encode(response);
    http.times = response.times;
    http.pairs = pairs;
    return http;
  };
}

}  // namespace

engine::Clock::time_point request_deadline(const RouterContext& context,
                                           const HttpRequest& request) {
  if (context.request_timeout_ms <= 0) return engine::Clock::time_point::max();
  return request.arrival + std::chrono::milliseconds(context.request_timeout_ms);
}

void handle_tei_rerank(const RouterContext& context, HttpRequest request, const Reply& reply) {
  Result<codecs::TeiRerankInput> input = codecs::decode_tei_rerank(request.body, context.limits);
  if (!input.ok()) {
    reply(respond_with(error_response(input.status(), ErrorDialect::kTei)));
    return;
  }
  engine::RerankRequest rerank = std::move(input->request);
  attach_request_lifetime(context, request, rerank);
  // The texts go to the service; keep a copy only when the answer repeats them.
  std::shared_ptr<const std::vector<std::string>> texts;
  if (input->return_text) {
    texts = std::make_shared<const std::vector<std::string>>(rerank.documents);
  }
  const std::size_t pairs = rerank.documents.size();
  context.service->rerank(std::move(rerank),
                          [reply, texts, pairs](engine::RerankResponse response) {
                            reply(answer(std::move(response), pairs, ErrorDialect::kTei,
                                         [texts](const engine::RerankResponse& r) {
                                           return codecs::encode_tei_rerank(r, texts.get());
                                         }));
                          });
}

namespace {

void cohere_rerank(const RouterContext& context, HttpRequest request, const Reply& reply,
                   codecs::CohereApi api) {
  Result<codecs::CohereRerankInput> input =
      codecs::decode_cohere_rerank(request.body, context.limits, api);
  if (!input.ok()) {
    reply(respond_with(error_response(input.status())));
    return;
  }
  engine::RerankRequest rerank = std::move(input->request);
  attach_request_lifetime(context, request, rerank);
  std::shared_ptr<const std::vector<std::string>> documents;
  if (input->return_documents) {
    documents = std::make_shared<const std::vector<std::string>>(std::move(input->documents_json));
  }
  codecs::CohereReplyContext reply_context;
  reply_context.api = api;
  reply_context.documents = rerank.documents.size();
  std::string model =
      input->model.empty() ? context.service->info().model_id : std::move(input->model);
  context.service->rerank(
      std::move(rerank), [reply, documents, reply_context, model = std::move(model),
                          id = request.request_id](engine::RerankResponse response) {
        reply(answer(std::move(response), reply_context.documents, ErrorDialect::kRerankd,
                     [documents, reply_context, model, id](const engine::RerankResponse& r) {
                       codecs::CohereReplyContext full = reply_context;
                       full.id = id;
                       full.model = model;
                       full.documents_json = documents.get();
                       return codecs::encode_cohere_rerank(r, full);
                     }));
      });
}

}  // namespace

void handle_cohere_rerank(const RouterContext& context, HttpRequest request, const Reply& reply) {
  cohere_rerank(context, std::move(request), reply, codecs::CohereApi::kV1);
}

void handle_cohere_rerank_v2(const RouterContext& context, HttpRequest request,
                             const Reply& reply) {
  cohere_rerank(context, std::move(request), reply, codecs::CohereApi::kV2);
}

}  // namespace rerankd::http
