// Status and Result: errors as values at module boundaries (STYLE.md, rule 4).
//
// A Status is a code plus a message that names the values involved ("config.json: hidden_size
// 384 is not divisible by num_attention_heads 5"). Exceptions stay inside a module; whatever
// crosses a boundary or a thread is a Status.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace rerankd {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // the caller sent something malformed (bad JSON, bad UTF-8, bad flag)
  kNotFound,            // a file, tensor or model that should exist does not
  kDataLoss,            // a file exists but is truncated or corrupt
  kFailedPrecondition,  // the input is well formed but unusable here (unknown architecture)
  kOutOfRange,          // a value is too large (pair longer than the model allows)
  kUnimplemented,       // a backend or dtype that was not built
  kResourceExhausted,   // a queue or buffer is full
  kUnavailable,         // not ready or shutting down
  kDeadlineExceeded,    // a deadline passed
  kInternal,            // a bug or an unexpected library failure
};

// The lower-case name of a code, e.g. "invalid_argument"; used in messages and error bodies.
std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid_argument: line 3: invalid UTF-8" — for logs and CLI errors.
  std::string to_string() const;

  // Returns a copy whose message is "<context>: <message>", keeping the code.
  Status with_context(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message)};
}
inline Status not_found(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
inline Status data_loss(std::string message) { return {StatusCode::kDataLoss, std::move(message)}; }
inline Status failed_precondition(std::string message) {
  return {StatusCode::kFailedPrecondition, std::move(message)};
}
inline Status out_of_range(std::string message) {
  return {StatusCode::kOutOfRange, std::move(message)};
}
inline Status unimplemented(std::string message) {
  return {StatusCode::kUnimplemented, std::move(message)};
}
inline Status internal_error(std::string message) {
  return {StatusCode::kInternal, std::move(message)};
}
// InvalidArgument "<source>:<line>: <message>" (`line` 1-based; 0 leaves it out): the shape of
// every error about a line of a file the user wrote (a config, an experiment).
Status invalid_at(std::string_view source, int line, std::string_view message);

}  // namespace rerankd

#define RERANKD_CONCAT_INNER(a, b) a##b
#define RERANKD_CONCAT(a, b) RERANKD_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not ok.
#define RERANKD_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::rerankd::Status rerankd_status_ = (expr);        \
    if (!rerankd_status_.ok()) return rerankd_status_; \
  } while (false)
