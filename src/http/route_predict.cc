// POST /predict (text-embeddings-inference): scores for (query, passage) pairs, labelled with
// the model's label name, in TEI's single or batch shape.
#include "http/codecs/tei_predict.h"
#include "http/error_map.h"
#include "http/routes.h"

namespace rerankd::http {

void handle_predict(const RouterContext& context, HttpRequest request, const Reply& reply) {
  Result<codecs::TeiPredictInput> input = codecs::decode_tei_predict(request.body, context.limits);
  if (!input.ok()) {
    reply(respond_with(error_response(input.status(), ErrorDialect::kTei)));
    return;
  }
  engine::ScoreRequest score = std::move(input->request);
  attach_request_lifetime(context, request, score);
  const engine::ServiceInfo info = context.service->info();
  std::string label = info.labels.empty() ? "LABEL_0" : info.labels.front();
  context.service->score(std::move(score), [reply, batch = input->batch, label = std::move(label)](
                                               engine::ScoreResponse response) {
    reply([response = std::move(response), batch, label]() {
      if (!response.status.ok()) return error_response(response.status, ErrorDialect::kTei);
      HttpResponse http;
      http.body = codecs::encode_tei_predict(response, batch, label);
      http.times = response.times;
      http.pairs = response.scores.size();
      return http;
    });
  });
}

}  // namespace rerankd::http
