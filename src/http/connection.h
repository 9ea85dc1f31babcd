// One keep-alive HTTP/1.1 connection: reads a request within the header/body timeouts and the
// body limit, hands it to the router, writes the answer posted back to the connection's strand,
// and repeats. While a request is in flight it watches the socket so that a client that hangs
// up cancels its request. All members are touched on the connection's strand only.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/http_types.h"
#include "http/server_state.h"

namespace rerankd::http {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<ServerState> state, boost::asio::ip::tcp::socket socket);
  ~Connection();

  // Registers with the server and starts reading; the socket's executor must be a strand.
  void start();

  // Answers `response` (503: the server has max_connections open) without reading a request,
  // then closes. Registered, so stop() waits for it, but not counted against the limit.
  void refuse(HttpResponse response);

  // Posted by Server::stop(): closes the connection unless a request is in flight or being
  // answered (those close after their answer is written).
  void on_server_stop();

  boost::asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  enum class Phase { kIdle, kReading, kInFlight, kWriting, kClosed };

  // Adds the connection to the server's set (false, and closed, once the server is stopping).
  bool register_with_server(bool refusing);
  void wait_for_request();
  void set_idle(bool idle);
  // The header and body deadlines: on expiry the read is cancelled and the client told 408.
  // (tcp_stream's own timeout closes the socket, which leaves no way to answer.)
  void arm_deadline(int timeout_ms);
  void disarm_deadline();
  void answer_timeout(std::string_view what, int timeout_ms);
  bool reserve_body_bytes(std::uint64_t bytes);
  HttpResponse too_many_body_bytes() const;  // 503 busy, with Retry-After
  void release_body_bytes();
  void on_first_bytes(boost::beast::error_code ec, std::size_t bytes);
  void read_header();
  void on_header(boost::beast::error_code ec);
  void on_continue_sent(boost::beast::error_code ec);
  void read_body();
  void on_body(boost::beast::error_code ec);
  void dispatch();
  void watch_for_hangup();
  void on_watch(boost::beast::error_code ec, std::size_t bytes);
  // After a FIN while a request is in flight: a half-close, or the client gone?
  bool probe_after_end_of_stream();
  void on_probe_error(boost::beast::error_code ec);
  void resume_after_watch();
  void respond(const Respond& respond);
  void answer_and_close(HttpResponse response);
  void write(HttpResponse response);
  void on_write(boost::beast::error_code ec);
  void close();
  void drain_and_close();
  void on_drain(boost::beast::error_code ec, std::size_t bytes);

  std::shared_ptr<ServerState> state_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<boost::beast::http::response<boost::beast::http::string_body>> response_;
  boost::asio::steady_timer deadline_;
  std::uint64_t deadline_generation_ = 0;  // a timer handler already queued for an old deadline
                                           // sees a newer generation and does nothing
  bool timed_out_ = false;
  // Body bytes this connection holds against server.max_buffered_body_bytes.
  std::int64_t reserved_body_bytes_ = 0;
  bool body_budget_refused_ = false;
  // Called by the parser for each chunk of a chunked body; must outlive the parser.
  std::function<void(std::uint64_t, boost::beast::string_view, boost::beast::error_code&)>
      on_chunk_header_;
  bool head_request_ = false;
  bool refusing_ = false;  // made by refuse(): counted in ServerState::refusing_connections
  bool idle_ = false;
  Phase phase_ = Phase::kIdle;
  bool keep_alive_ = false;
  bool watch_pending_ = false;
  bool resume_after_watch_ = false;
  bool peer_gone_ = false;
  std::string request_id_;
  std::string route_;
  std::shared_ptr<engine::CancelFlag> cancel_;
  std::array<char, 4096> drain_buffer_{};
  std::size_t drained_bytes_ = 0;
};

}  // namespace rerankd::http
