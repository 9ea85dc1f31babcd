#include "support/http_client.h"

#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace rerankd::testing {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string ClientResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Impl {
  net::io_context io_context;
  tcp::socket socket{io_context};
  beast::flat_buffer buffer;
  bool connected = false;
};

HttpClient::HttpClient(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  beast::error_code ec;
  impl_->socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  impl_->connected = !ec;
}

HttpClient::~HttpClient() {
  beast::error_code ec;
  impl_->socket.close(ec);
}

bool HttpClient::connected() const { return impl_->connected; }

ClientResponse HttpClient::request(
    std::string_view method, std::string_view target, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  bhttp::request<bhttp::string_body> message;
  message.method_string(beast::string_view(method.data(), method.size()));
  message.target(beast::string_view(target.data(), target.size()));
  message.version(11);
  message.set(bhttp::field::host, "127.0.0.1");
  message.keep_alive(true);
  if (!body.empty()) message.set(bhttp::field::content_type, "application/json");
  for (const auto& [name, value] : headers) message.set(name, value);
  message.body() = std::string(body);
  message.prepare_payload();
  beast::error_code ec;
  bhttp::write(impl_->socket, message, ec);
  if (ec) {
    ClientResponse response;
    response.error = ec.message();
    return response;
  }
  return read_response();
}

bool HttpClient::send_raw(std::string_view bytes) {
  beast::error_code ec;
  net::write(impl_->socket, net::buffer(bytes.data(), bytes.size()), ec);
  return !ec;
}

ClientResponse HttpClient::read_response() { return read(false); }

ClientResponse HttpClient::read_head_response() { return read(true); }

ClientResponse HttpClient::read(bool head) {
  ClientResponse response;
  // Interim 1xx answers come before the final one and are skipped, as HTTP clients do
  // (interim_seen counts them).
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
  for (;;) {
    parser.emplace();
    parser->body_limit(64 << 20);
    parser->skip(head);
    beast::error_code ec;
    bhttp::read(impl_->socket, impl_->buffer, *parser, ec);
    if (ec) {
      response.error = ec.message();
      return response;
    }
    if (parser->get().result_int() / 100 != 1) break;
    ++response.interim_seen;
  }
  const auto& message = parser->get();
  response.status = static_cast<int>(message.result_int());
  response.body = message.body();
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    response.headers[name] = std::string(field.value());
  }
  return response;
}

bool HttpClient::readable(int wait_ms) {
  if (impl_->buffer.size() > 0) return true;
  pollfd descriptor{impl_->socket.native_handle(), POLLIN, 0};
  return ::poll(&descriptor, 1, wait_ms) > 0;
}

bool HttpClient::shutdown_send() {
  beast::error_code ec;
  impl_->socket.shutdown(net::ip::tcp::socket::shutdown_send, ec);
  return !ec;
}

bool HttpClient::closed_by_server(int wait_ms) {
  pollfd descriptor{impl_->socket.native_handle(), POLLIN, 0};
  if (::poll(&descriptor, 1, wait_ms) <= 0) return false;  // still open, nothing to read
  char byte = 0;
  beast::error_code ec;
  const std::size_t n = impl_->socket.read_some(net::buffer(&byte, 1), ec);
  return ec && n == 0;
}

}  // namespace rerankd::testing
