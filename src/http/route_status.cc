// The GET routes: liveness, readiness, metrics, service info and the OpenAPI document.
#include "common/build_info.h"
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

// TEI's spelling of a dtype in /info's model_dtype.
std::string_view tei_dtype(std::string_view dtype) {
  if (dtype == "fp32") return "float32";
  if (dtype == "fp16") return "float16";
  if (dtype == "bf16") return "bfloat16";
  return dtype;  // int8: TEI has none
}

// TEI's model_type: {"reranker": {"id2label": .., "label2id": ..}} for one label,
// {"classifier": ..} for more.
void append_model_type(std::string& out, const std::vector<std::string>& labels) {
  json::append_string(out, "model_type");
  out += labels.size() == 1 ? ":{\"reranker\":{\"id2label\":{" : ":{\"classifier\":{\"id2label\":{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    json::append_string(out, std::to_string(i));
    out += ':';
    json::append_string(out, labels[i]);
  }
  out += "},\"label2id\":{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    json::append_string(out, labels[i]);
    out += ':';
    json::append_number(out, static_cast<std::int64_t>(i));
  }
  out += "}}},";
}

void handle_info(const RouterContext& context, HttpRequest, const Reply& reply) {
  const engine::ServiceInfo info = context.service->info();
  const BuildInfo& build = build_info();
  std::string out = "{";
  // TEI's fields first (text-embeddings-inference 1.9's Info), so its clients read them.
  append_field(out, "model_id", info.model_id);
  json::append_string(out, "model_sha");
  out += ":null,";
  append_field(out, "model_dtype", tei_dtype(info.dtype));
  append_field(out, "served_model_name", info.model_id);
  append_model_type(out, info.labels);
  append_field(out, "max_concurrent_requests", info.max_queue_pairs);
  append_field(out, "max_input_length", info.max_length);
  append_field(out, "max_batch_tokens", info.max_batch_tokens);
  append_field(out, "max_batch_requests", info.max_batch_size);
  append_field(out, "max_client_batch_size", info.max_client_batch_size);
  json::append_string(out, "auto_truncate");
  out += info.auto_truncate ? ":true," : ":false,";
  append_field(out, "tokenization_workers", info.tokenizer_threads);
  append_field(out, "version", context.version);
  append_field(out, "sha", build.commit);
  json::append_string(out, "docker_label");
  out += ":null,";
  // rerankd's own.
  append_field(out, "model_dir", info.model_dir);
  append_field(out, "backend", info.backend);
  append_field(out, "dtype", info.dtype);
  append_field(out, "device", info.device);
  append_field(out, "max_length", info.max_length);
  append_field(out, "max_concurrency", info.max_concurrency);
  append_field(out, "threads_per_worker", info.threads_per_worker);
  append_field(out, "max_batch_size", info.max_batch_size);
  append_field(out, "max_queue_pairs", info.max_queue_pairs);
  append_field(out, "build_type", build.build_type);
  append_field(out, "compiler", build.compiler);
  json::append_string(out, "random_weights");
  out += info.random_weights ? ":true}" : ":false}";
  reply(respond_with(json_body(std::move(out))));
}

void handle_openapi(const RouterContext& context, HttpRequest, const Reply& reply) {
  reply(respond_with(json_body(openapi_document(context.version))));
}

namespace {

// A small page that reads /openapi.json in the browser and lists every route with its
// summary, request schema and answers: readable docs without shipping a UI framework.
constexpr std::string_view kDocsPage = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rerankd API</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}
code,pre{background:#f4f4f4;padding:2px 4px}pre{padding:8px;overflow:auto}
h2{border-bottom:1px solid #ddd}.m{font-weight:bold;margin-right:.5em}</style></head>
<body><h1>rerankd API</h1><p>The OpenAPI 3 document: <a href="/openapi.json">/openapi.json</a>
(it needs the API key when the server has one).</p><div id="routes">Loading...</div>
<script>
fetch('/openapi.json').then(r => r.json()).then(doc => {
  const out = document.getElementById('routes'); out.textContent = '';
  const schemas = (doc.components || {}).schemas || {};
  const resolve = s => s && s.$ref ? schemas[s.$ref.split('/').pop()] : s;
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    const h = document.createElement('h2');
    h.innerHTML = '<span class="m">' + method.toUpperCase() + '</span><code></code>';
    h.querySelector('code').textContent = path; out.appendChild(h);
    const p = document.createElement('p'); p.textContent = op.summary || ''; out.appendChild(p);
    const body = op.requestBody && resolve(op.requestBody.content['application/json'].schema);
    if (body) { const pre = document.createElement('pre');
      pre.textContent = JSON.stringify(body, null, 2); out.appendChild(pre); }
    const codes = document.createElement('p');
    codes.textContent = 'Answers: ' + Object.keys(op.responses || {}).join(', '); out.appendChild(codes);
  }
}).catch(e => { document.getElementById('routes').textContent = 'Could not read /openapi.json: ' + e; });
</script></body></html>
)html";

}  // namespace

void handle_docs(const RouterContext&, HttpRequest, const Reply& reply) {
  HttpResponse response;
  response.content_type = "text/html; charset=utf-8";
  response.body = std::string(kDocsPage);
  reply(respond_with(std::move(response)));
}

}  // namespace rerankd::http
