// The few HTTP requests the Hub client makes, over libcurl: a request whose body is kept in
// memory (metadata), and a download appended to an open file (resuming with Range).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"

namespace rerankd::model::hub {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"; curl sends them to the first host only
  bool head = false;                 // HEAD instead of GET
  bool follow_redirects = true;
  long total_timeout_s = 0;  // whole request, 0 = none
  long stall_timeout_s = 0;  // abort when under 1 byte/s for this long, 0 = never
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // of the last response; names lower-case
  std::string body;                            // metadata requests, and error bodies of downloads
  std::string url;                             // after redirects

  // The header's value, or "" when absent.
  std::string header(const std::string& lower_case_name) const;
};

// Called with (bytes received so far in this request, bytes expected or 0 when unknown).
using ProgressFn = std::function<void(std::uint64_t, std::uint64_t)>;

// A transport failure (no connection, timeout, dropped) is kUnavailable naming the URL and curl's
// reason; any HTTP status is a response for the caller to judge.
Result<HttpResponse> http_fetch(const HttpRequest& request);

// GET appending a 2xx body to `out`, which already holds `offset` bytes of it: a Range request
// when offset > 0. A server that answers 200 to it restarts the file (truncated to 0). A body
// with another status goes to HttpResponse::body instead. A failed write (disk full) is
// kResourceExhausted naming errno's reason.
Result<HttpResponse> http_download(const HttpRequest& request, std::FILE* out, std::uint64_t offset,
                                   const ProgressFn& progress);

// Percent-encodes everything but unreserved characters (RFC 3986), e.g. a revision "refs/pr/1".
std::string url_escape(const std::string& text);

}  // namespace rerankd::model::hub
