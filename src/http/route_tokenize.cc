// POST /tokenize and POST /decode (text-embeddings-inference): the served model's tokenizer,
// run on the connection's thread (no batching: they do no inference).
#include "http/codecs/tei_tokenize.h"
#include "http/error_map.h"
#include "http/routes.h"

namespace rerankd::http {
namespace {

template <typename Decode, typename Encode>
void run_tokenizer_route(const RouterContext& context, const HttpRequest& request,
                         const Reply& reply, Decode decode, Encode encode) {
  const text::Tokenizer* tokenizer = context.service->tokenizer();
  if (tokenizer == nullptr) {
    reply(respond_with(error_response(
        Status(StatusCode::kUnavailable, "this service has no tokenizer"), ErrorDialect::kTei)));
    return;
  }
  auto input = decode(request.body, context.limits);
  if (!input.ok()) {
    reply(respond_with(error_response(input.status(), ErrorDialect::kTei)));
    return;
  }
  Result<std::string> body = encode(*input, *tokenizer);
  if (!body.ok()) {
    reply(respond_with(error_response(body.status(), ErrorDialect::kTei)));
    return;
  }
  HttpResponse response;
  response.body = std::move(body).value();
  reply(respond_with(std::move(response)));
}

}  // namespace

void handle_tokenize(const RouterContext& context, HttpRequest request, const Reply& reply) {
  run_tokenizer_route(context, request, reply, codecs::decode_tei_tokenize,
                      codecs::encode_tei_tokenize);
}

void handle_decode(const RouterContext& context, HttpRequest request, const Reply& reply) {
  run_tokenizer_route(context, request, reply, codecs::decode_tei_decode,
                      codecs::encode_tei_decode);
}

}  // namespace rerankd::http
