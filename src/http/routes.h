// The route handlers. Each answers through `reply` exactly once and never throws past
// Router::handle (which catches what escapes, e.g. bad_alloc).
#pragma once

#include "http/http_types.h"
#include "http/router.h"

namespace rerankd::http {

void handle_tei_rerank(const RouterContext& context, HttpRequest request, const Reply& reply);
void handle_cohere_rerank(const RouterContext& context, HttpRequest request, const Reply& reply);
void handle_cohere_rerank_v2(const RouterContext& context, HttpRequest request, const Reply& reply);
void handle_predict(const RouterContext& context, HttpRequest request, const Reply& reply);
void handle_tokenize(const RouterContext& context, HttpRequest request, const Reply& reply);
void handle_decode(const RouterContext& context, HttpRequest request, const Reply& reply);
void handle_score(const RouterContext& context, HttpRequest request, const Reply& reply);

void handle_health(const RouterContext& context, HttpRequest request, const Reply& reply);
void handle_ready(const RouterContext& context, HttpRequest request, const Reply& reply);
void handle_metrics(const RouterContext& context, HttpRequest request, const Reply& reply);
void handle_info(const RouterContext& context, HttpRequest request, const Reply& reply);
void handle_openapi(const RouterContext& context, HttpRequest request, const Reply& reply);
void handle_docs(const RouterContext& context, HttpRequest request, const Reply& reply);
void handle_docs_script(const RouterContext& context, HttpRequest request, const Reply& reply);
void handle_docs_style(const RouterContext& context, HttpRequest request, const Reply& reply);

// Arrival plus request_timeout_ms, or no deadline.
engine::Clock::time_point request_deadline(const RouterContext& context,
                                           const HttpRequest& request);

// What bounds a request's life travels with it to the service: its deadline, and the flag a
// client disconnect sets. For engine::RerankRequest and engine::ScoreRequest alike.
template <typename ServiceRequest>
void attach_request_lifetime(const RouterContext& context, const HttpRequest& request,
                             ServiceRequest& service_request) {
  service_request.deadline = request_deadline(context, request);
  service_request.cancel = request.cancel;
}

}  // namespace rerankd::http
