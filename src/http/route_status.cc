// The GET routes: liveness, readiness, metrics, service info and the OpenAPI document.
#include "common/json_writer.h"
#include "http/error_map.h"
#include "http/openapi.h"
#include "http/routes.h"

namespace rerankd::http {
namespace {

HttpResponse json_body(std::string body) {
  HttpResponse response;
  response.body = std::move(body);
  return response;
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
  json::append_string(out, key);
  out += ':';
  json::append_string(out, value);
  out += ',';
}

void append_field(std::string& out, std::string_view key, std::int64_t value) {
  json::append_string(out, key);
  out += ':';
  json::append_number(out, value);
  out += ',';
}

}  // namespace

void handle_health(const RouterContext&, HttpRequest, const Reply& reply) {
  // Alive while the process answers, loaded or not: /ready says whether it can score.
  reply(respond_with(json_body(R"({"status":"ok"})")));
}

void handle_ready(const RouterContext& context, HttpRequest, const Reply& reply) {
  if (!context.service->ready()) {
    reply(respond_with(error_response(Status(StatusCode::kUnavailable,
                                             "not ready: the model is loading or the server is "
                                             "shutting down"))));
    return;
  }
  reply(respond_with(json_body(R"({"status":"ready"})")));
}

void handle_metrics(const RouterContext& context, HttpRequest, const Reply& reply) {
  metrics::Registry* registry = context.registry;
  reply([registry]() {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    if (registry != nullptr) response.body = registry->render();
    return response;
  });
}

void handle_info(const RouterContext& context, HttpRequest, const Reply& reply) {
  const engine::ServiceInfo info = context.service->info();
  std::string out = "{";
  append_field(out, "model_id", info.model_id);
  append_field(out, "model_dir", info.model_dir);
  append_field(out, "backend", info.backend);
  append_field(out, "dtype", info.dtype);
  append_field(out, "device", info.device);
  append_field(out, "max_length", info.max_length);
  append_field(out, "max_client_batch_size", info.max_client_batch_size);
  append_field(out, "max_concurrency", info.max_concurrency);
  append_field(out, "threads_per_worker", info.threads_per_worker);
  append_field(out, "max_batch_size", info.max_batch_size);
  json::append_string(out, "random_weights");
  out += info.random_weights ? ":true," : ":false,";
  json::append_string(out, "version");
  out += ':';
  json::append_string(out, context.version);
  out += '}';
  reply(respond_with(json_body(std::move(out))));
}

void handle_openapi(const RouterContext& context, HttpRequest, const Reply& reply) {
  reply(respond_with(json_body(openapi_document(context.version))));
}

}  // namespace rerankd::http
