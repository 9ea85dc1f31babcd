#include "http/error_map.h"

#include <array>
#include <string>

#include "common/json_writer.h"
#include "http/codecs/decode_limits.h"

namespace rerankd::http {
namespace {

struct Row {
  std::optional<StatusCode> code;      // an engine failure ...
  std::optional<HttpFailure> failure;  // ... or an HTTP-only one
  ErrorMapping mapping;
};

// DESIGN.md's error table. Type errors in a request body (a string where a list belongs) are
// decoded as kFailedPrecondition: the JSON is well formed but a value is unusable, which is what
// 422 Unprocessable Entity says; everything else the client got wrong is kInvalidArgument, 400.
constexpr std::array kTable = {
    Row{StatusCode::kInvalidArgument, {}, {400, "validation", false}},
    Row{StatusCode::kFailedPrecondition, {}, {422, "unprocessable", false}},
    Row{StatusCode::kOutOfRange, {}, {413, "too_large", false}},
    Row{StatusCode::kResourceExhausted, {}, {429, "overloaded", true}},
    Row{StatusCode::kUnavailable, {}, {503, "unavailable", false}},
    Row{StatusCode::kDeadlineExceeded, {}, {504, "deadline_exceeded", false}},
    Row{StatusCode::kNotFound, {}, {404, "not_found", false}},
    Row{StatusCode::kInternal, {}, {500, "internal", false}},
    Row{{}, HttpFailure::kUnauthorized, {401, "unauthorized", false}},
    Row{{}, HttpFailure::kRouteNotFound, {404, "not_found", false}},
    Row{{}, HttpFailure::kMethodNotAllowed, {405, "method_not_allowed", false}},
    Row{{}, HttpFailure::kRequestTimeout, {408, "request_timeout", false}},
    Row{{}, HttpFailure::kHeaderTooLarge, {431, "header_too_large", false}},
    Row{{}, HttpFailure::kBusy, {503, "busy", true}},
    Row{{}, HttpFailure::kMalformedHttp, {400, "malformed_http", false}},
};

constexpr ErrorMapping kInternal{500, "internal", false};

HttpResponse make_error(const ErrorMapping& mapping, std::string_view message) {
  HttpResponse response;
  response.status = mapping.http_status;
  response.error_type = std::string(mapping.error_type);
  response.body.reserve(message.size() + 64);
  response.body += "{\"error\":";
  json::append_string(response.body, message);
  response.body += ",\"error_type\":";
  json::append_string(response.body, mapping.error_type);
  response.body += '}';
  if (mapping.retry_after) {
    response.headers.emplace_back("retry-after", std::to_string(kRetryAfterSeconds));
  }
  return response;
}

}  // namespace

ErrorMapping map_status(StatusCode code) {
  for (const Row& row : kTable) {
    if (row.code == code) return row.mapping;
  }
  return kInternal;
}

ErrorMapping map_failure(HttpFailure failure) {
  for (const Row& row : kTable) {
    if (row.failure == failure) return row.mapping;
  }
  return kInternal;
}

ErrorMapping map_tei_status(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return status.message().ends_with(codecs::kEmptyListMessage)
                 ? ErrorMapping{400, "Empty", false}
                 : ErrorMapping{400, "Validation", false};
    case StatusCode::kFailedPrecondition:
    case StatusCode::kOutOfRange:
      return {422, "Validation", false};
    case StatusCode::kResourceExhausted:
      return {429, "Overloaded", true};
    case StatusCode::kUnavailable:
      return {503, "Unhealthy", false};
    case StatusCode::kInternal:
      return {424, "Backend", false};
    default:
      return map_status(status.code());
  }
}

HttpResponse error_response(const Status& status, ErrorDialect dialect) {
  const ErrorMapping mapping =
      dialect == ErrorDialect::kTei ? map_tei_status(status) : map_status(status.code());
  HttpResponse response = make_error(mapping, status.message());
  // Metrics count failures in one vocabulary, rerankd's, whichever a route answers in.
  response.error_type = std::string(map_status(status.code()).error_type);
  return response;
}

HttpResponse error_response(HttpFailure failure, std::string_view message) {
  return make_error(map_failure(failure), message);
}

}  // namespace rerankd::http
