// POST /score: scores for explicit (query, passage) pairs, in input order.
#include "http/codecs/score_pairs.h"
#include "http/error_map.h"
#include "http/routes.h"

namespace rerankd::http {

void handle_score(const RouterContext& context, HttpRequest request, const Reply& reply) {
  Result<engine::ScoreRequest> input = codecs::decode_score(request.body, context.limits);
  if (!input.ok()) {
    reply(respond_with(error_response(input.status())));
    return;
  }
  engine::ScoreRequest score = std::move(*input);
  attach_request_lifetime(context, request, score);
  context.service->score(std::move(score), [reply](engine::ScoreResponse response) {
    reply([response = std::move(response)]() {
      if (!response.status.ok()) return error_response(response.status);
      HttpResponse http;
      http.body = codecs::encode_score(response);
      http.times = response.times;
      http.pairs = response.scores.size();
      return http;
    });
  });
}

}  // namespace rerankd::http
