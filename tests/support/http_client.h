// A small synchronous HTTP/1.1 client on Boost.Beast for the server tests: one keep-alive
// connection, plain requests, and raw bytes for malformed or slow clients.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rerankd::testing {

struct ClientResponse {
  int status = 0;  // 0: no response (connection closed or error)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;                           // transport error, when status is 0
  int interim_seen = 0;                        // 1xx answers read (and skipped) before it

  std::string header(const std::string& name) const;
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  ~HttpClient();

  bool connected() const;

  ClientResponse request(std::string_view method, std::string_view target,
                         std::string_view body = {},
                         const std::vector<std::pair<std::string, std::string>>& headers = {});
  ClientResponse post(std::string_view target, std::string_view body,
                      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return request("POST", target, body, headers);
  }
  ClientResponse get(std::string_view target,
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return request("GET", target, {}, headers);
  }

  // Writes bytes as they are; false on a write error.
  bool send_raw(std::string_view bytes);
  // Reads one response (after send_raw).
  ClientResponse read_response();
  // The answer to a HEAD request: a header whose Content-Length has no body after it.
  ClientResponse read_head_response();
  // True when the server has closed the connection: a read returns end of stream or an error
  // (waits for the server to act, up to `wait_ms`).
  bool closed_by_server(int wait_ms);
  // True when bytes from the server wait to be read (waits up to `wait_ms`).
  bool readable(int wait_ms);
  // Half-closes: the server reads end of stream, and this side still reads.
  bool shutdown_send();

 private:
  ClientResponse read(bool head);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rerankd::testing
