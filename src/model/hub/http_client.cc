#include "model/hub/http_client.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

namespace rerankd::model::hub {
namespace {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// What the callbacks fill while a request runs.
struct Transfer {
  CURL* curl = nullptr;
  HttpResponse response;
  std::FILE* out = nullptr;
  std::uint64_t offset = 0;
  bool restarted = false;
  int write_errno = 0;
  const ProgressFn* progress = nullptr;
};

long current_status(CURL* curl) {
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::string line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    transfer.response.headers.clear();  // a new response in a redirect chain
    return size * count;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::size_t begin = colon + 1;
  while (begin < line.size() && (line[begin] == ' ' || line[begin] == '\t')) ++begin;
  std::size_t end = line.size();
  while (end > begin && (line[end - 1] == '\r' || line[end - 1] == '\n' || line[end - 1] == ' ')) {
    --end;
  }
  transfer.response.headers[name] = line.substr(begin, end - begin);
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  const long status = current_status(transfer.curl);
  if (transfer.out == nullptr || status < 200 || status >= 300) {
    if (transfer.response.body.size() < (1u << 20)) transfer.response.body.append(data, bytes);
    return bytes;
  }
  if (status == 200 && transfer.offset > 0 && !transfer.restarted) {
    // Range ignored: the whole file follows, so start it again.
    transfer.restarted = true;
    if (std::fflush(transfer.out) != 0 || ftruncate(fileno(transfer.out), 0) != 0 ||
        std::fseek(transfer.out, 0, SEEK_SET) != 0) {
      transfer.write_errno = errno;
      return 0;
    }
  }
  if (std::fwrite(data, 1, bytes, transfer.out) != bytes) {
    transfer.write_errno = errno != 0 ? errno : ENOSPC;
    return 0;
  }
  return bytes;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto& transfer = *static_cast<Transfer*>(user);
  if (transfer.progress != nullptr && *transfer.progress) {
    (*transfer.progress)(static_cast<std::uint64_t>(now), static_cast<std::uint64_t>(total));
  }
  return 0;
}

Result<HttpResponse> perform(const HttpRequest& request, Transfer& transfer) {
  init_curl_once();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return internal_error("curl_easy_init failed");
  transfer.curl = curl.get();
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const std::string& header : request.headers) {
    headers.reset(curl_slist_append(headers.release(), header.c_str()));
  }
  CURL* c = curl.get();
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_USERAGENT, "rerankd (libcurl)");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  if (request.total_timeout_s > 0) curl_easy_setopt(c, CURLOPT_TIMEOUT, request.total_timeout_s);
  if (request.stall_timeout_s > 0) {
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, request.stall_timeout_s);
  }
  if (request.head) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  // CURLOPT_RANGE rather than RESUME_FROM: curl then accepts a 200 (the server ignoring the
  // range), which on_body turns into a restart.
  const std::string range = std::to_string(transfer.offset) + "-";
  if (transfer.offset > 0) curl_easy_setopt(c, CURLOPT_RANGE, range.c_str());
  if (transfer.progress != nullptr) {
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);
  }
  const CURLcode code = curl_easy_perform(c);
  if (transfer.write_errno != 0) {
    return Status(StatusCode::kResourceExhausted, std::string("cannot write the download of ") +
                                                      request.url + ": " +
                                                      std::strerror(transfer.write_errno));
  }
  if (code != CURLE_OK) {
    return Status(StatusCode::kUnavailable,
                  request.url + ": " + (error[0] != '\0' ? error : curl_easy_strerror(code)));
  }
  transfer.response.status = current_status(c);
  char* effective = nullptr;
  curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective);
  transfer.response.url = effective != nullptr ? effective : request.url;
  return std::move(transfer.response);
}

}  // namespace

std::string HttpResponse::header(const std::string& lower_case_name) const {
  const auto found = headers.find(lower_case_name);
  return found == headers.end() ? std::string() : found->second;
}

Result<HttpResponse> http_fetch(const HttpRequest& request) {
  Transfer transfer;
  return perform(request, transfer);
}

Result<HttpResponse> http_download(const HttpRequest& request, std::FILE* out, std::uint64_t offset,
                                   const ProgressFn& progress) {
  Transfer transfer;
  transfer.out = out;
  transfer.offset = offset;
  transfer.progress = &progress;
  auto response = perform(request, transfer);
  if (std::fflush(out) != 0 && response.ok()) {
    return Status(StatusCode::kResourceExhausted,
                  "cannot write the download of " + request.url + ": " + std::strerror(errno));
  }
  return response;
}

std::string url_escape(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace rerankd::model::hub
