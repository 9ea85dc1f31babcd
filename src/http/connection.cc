#include "http/connection.h"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <utility>

#include "http/error_map.h"
#include "http/request_id.h"

namespace rerankd::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

namespace {

constexpr std::size_t kReadChunk = 8192;
// A read buffer grown past this by a large request is given back before the connection waits
// for its next one, so that idle keep-alive connections hold little memory.
constexpr std::size_t kIdleBufferBytes = 16 << 10;
// A client answered 413 before its body was read may still be sending it: read and drop up to
// this much (for at most kDrainTimeout) so that closing does not reset the connection and
// destroy the 413 before the client reads it.
constexpr std::size_t kMaxDrainBytes = 16 << 20;
constexpr std::chrono::seconds kDrainTimeout{2};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::chrono::milliseconds ms(int value) { return std::chrono::milliseconds(value); }

// Beast 1.74 hands out boost::string_view.
std::string_view to_std(beast::string_view text) { return {text.data(), text.size()}; }

}  // namespace

Connection::Connection(std::shared_ptr<ServerState> state, net::ip::tcp::socket socket)
    : state_(std::move(state)), stream_(std::move(socket)), deadline_(stream_.get_executor()) {}

Connection::~Connection() {
  set_idle(false);
  release_body_bytes();
  std::lock_guard<std::mutex> lock(state_->mutex);
  if (refusing_) --state_->refusing_connections;
  state_->connections.erase(this);
  if (state_->connections.empty()) state_->drained.notify_all();
}

bool Connection::register_with_server(bool refusing) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  if (state_->stopping.load()) {
    phase_ = Phase::kClosed;
    beast::error_code ec;
    stream_.socket().close(ec);
    return false;
  }
  state_->connections.emplace(this, weak_from_this());
  refusing_ = refusing;
  if (refusing) ++state_->refusing_connections;
  return true;
}

void Connection::refuse(HttpResponse response) {
  if (!register_with_server(/*refusing=*/true)) return;
  net::dispatch(stream_.get_executor(),
                [self = shared_from_this(), response = std::move(response)]() mutable {
                  self->answer_and_close(std::move(response));
                });
}

void Connection::set_idle(bool idle) {
  if (idle == idle_) return;
  idle_ = idle;
  if (idle) {
    state_->idle_connections.fetch_add(1);
  } else {
    state_->idle_connections.fetch_sub(1);
  }
}

void Connection::arm_deadline(int timeout_ms) {
  stream_.expires_never();
  timed_out_ = false;
  const std::uint64_t generation = ++deadline_generation_;
  deadline_.expires_after(ms(timeout_ms));
  deadline_.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
    if (ec || generation != self->deadline_generation_) return;
    self->timed_out_ = true;
    beast::error_code cancel_ec;
    self->stream_.socket().cancel(cancel_ec);  // the read completes with operation_aborted
  });
}

void Connection::disarm_deadline() {
  ++deadline_generation_;
  deadline_.cancel();
}

void Connection::answer_timeout(std::string_view what, int timeout_ms) {
  answer_and_close(error_response(
      HttpFailure::kRequestTimeout,
      std::string(what) + " did not arrive within " + std::to_string(timeout_ms) + " ms"));
}

HttpResponse Connection::too_many_body_bytes() const {
  return error_response(HttpFailure::kBusy,
                        "the server holds server.max_buffered_body_bytes " +
                            std::to_string(state_->options.server.max_buffered_body_bytes) +
                            " of request bodies; retry later");
}

bool Connection::reserve_body_bytes(std::uint64_t bytes) {
  const auto wanted = static_cast<std::int64_t>(
      std::min<std::uint64_t>(bytes, static_cast<std::uint64_t>(INT64_MAX / 2)));
  if (!state_->reserve_body_bytes(wanted)) return false;
  reserved_body_bytes_ += wanted;
  return true;
}

void Connection::release_body_bytes() {
  if (reserved_body_bytes_ == 0) return;
  state_->release_body_bytes(reserved_body_bytes_);
  reserved_body_bytes_ = 0;
}

void Connection::start() {
  if (!register_with_server(/*refusing=*/false)) return;
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_for_request(); });
}

void Connection::on_server_stop() {
  if (phase_ == Phase::kIdle || phase_ == Phase::kReading) close();
}

void Connection::wait_for_request() {
  if (state_->stopping.load()) return close();
  phase_ = Phase::kIdle;
  if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
  if (buffer_.capacity() > kIdleBufferBytes) buffer_.shrink_to_fit();
  set_idle(true);
  // The idle keep-alive timeout covers the wait for the first byte, and closes without a word:
  // no request has begun. The header timeout starts when one does.
  stream_.expires_after(ms(state_->options.server.idle_timeout_ms));
  stream_.async_read_some(
      buffer_.prepare(kReadChunk),
      beast::bind_front_handler(&Connection::on_first_bytes, shared_from_this()));
}

void Connection::on_first_bytes(beast::error_code ec, std::size_t bytes) {
  set_idle(false);
  if (ec) return close();  // idle timeout, hang-up or stop()
  buffer_.commit(bytes);
  read_header();
}

void Connection::read_header() {
  phase_ = Phase::kReading;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(state_->options.server.max_header_bytes));
  parser_->body_limit(static_cast<std::uint64_t>(state_->options.server.max_body_bytes));
  // A chunked body announces its size chunk by chunk: each chunk is reserved as it comes.
  on_chunk_header_ = [this](std::uint64_t size, beast::string_view, beast::error_code& ec) {
    if (!reserve_body_bytes(size)) {
      body_budget_refused_ = true;
      ec = bhttp::error::body_limit;
    }
  };
  parser_->on_chunk_header(on_chunk_header_);
  body_budget_refused_ = false;
  head_request_ = false;
  request_id_.clear();
  route_ = "other";
  // One deadline for the whole header: a client trickling a byte a second is cut off.
  arm_deadline(state_->options.server.header_timeout_ms);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Connection::on_header(beast::error_code ec) {
  disarm_deadline();
  if (timed_out_)
    return answer_timeout("the request header", state_->options.server.header_timeout_ms);
  // Beast checks a Content-Length against the body limit while parsing the header.
  if (ec == bhttp::error::body_limit) return on_body(ec);
  if (ec == bhttp::error::header_limit) {
    return answer_and_close(error_response(
        HttpFailure::kHeaderTooLarge, "request header is over server.max_header_bytes " +
                                          std::to_string(state_->options.server.max_header_bytes)));
  }
  if (ec == net::error::operation_aborted || ec == bhttp::error::end_of_stream ||
      ec == net::error::eof || ec == net::error::connection_reset) {
    return close();
  }
  if (ec) {
    return answer_and_close(
        error_response(HttpFailure::kMalformedHttp, "malformed HTTP request: " + ec.message()));
  }
  const auto& header = parser_->get();
  request_id_ = request_id_from(to_std(header["x-request-id"]));
  const std::string_view target = to_std(header.target());
  route_ = std::string(target.substr(0, target.find('?')));
  head_request_ = header.method() == bhttp::verb::head;
  // Refused from the header alone (a wrong API key above all): the body is never held.
  if (auto refusal = state_->router.refusal(to_std(header.method_string()), route_,
                                            to_std(header[bhttp::field::authorization]))) {
    return answer_and_close(std::move(*refusal));
  }
  const auto content_length = parser_->content_length();
  if (content_length &&
      *content_length > static_cast<std::uint64_t>(state_->options.server.max_body_bytes)) {
    return answer_and_close(error_response(out_of_range(
        "request body of " + std::to_string(*content_length) + " bytes is over max_body_bytes " +
        std::to_string(state_->options.server.max_body_bytes))));
  }
  if (content_length && !reserve_body_bytes(*content_length)) {
    return answer_and_close(too_many_body_bytes());
  }
  if (beast::iequals(header[bhttp::field::expect], "100-continue") && !parser_->is_done()) {
    stream_.expires_after(ms(state_->options.server.body_timeout_ms));
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                       self->on_continue_sent(write_ec);
                     });
    return;
  }
  read_body();
}

void Connection::on_continue_sent(beast::error_code ec) {
  if (ec) return close();
  read_body();
}

void Connection::read_body() {
  if (parser_->is_done()) return on_body({});
  arm_deadline(state_->options.server.body_timeout_ms);
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

void Connection::on_body(beast::error_code ec) {
  disarm_deadline();
  if (timed_out_) return answer_timeout("the request body", state_->options.server.body_timeout_ms);
  if (ec == bhttp::error::body_limit && body_budget_refused_) {
    return answer_and_close(too_many_body_bytes());
  }
  if (ec == bhttp::error::body_limit) {
    return answer_and_close(
        error_response(out_of_range("request body is over max_body_bytes " +
                                    std::to_string(state_->options.server.max_body_bytes))));
  }
  // A bad chunk size or a body cut short by a client that still listens: say what was wrong.
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_chunk).category() &&
      ec != bhttp::error::partial_message) {
    return answer_and_close(error_response(HttpFailure::kMalformedHttp,
                                           "malformed HTTP request body: " + ec.message()));
  }
  if (ec) return close();
  dispatch();
}

void Connection::dispatch() {
  bhttp::request<bhttp::string_body> message = parser_->release();
  parser_.reset();
  keep_alive_ = message.keep_alive();
  phase_ = Phase::kInFlight;
  stream_.expires_never();

  HttpRequest request;
  request.method = std::string(to_std(message.method_string()));
  request.path = route_;
  request.body = std::move(message.body());
  request.authorization = std::string(to_std(message[bhttp::field::authorization]));
  request.request_id = request_id_;
  request.arrival = engine::Clock::now();
  cancel_ = std::make_shared<engine::CancelFlag>();
  request.cancel = cancel_;

  watch_for_hangup();
  // The reply may come from a service thread: it only posts to this connection's strand.
  state_->router.handle(std::move(request), [self = shared_from_this()](Respond respond) {
    net::post(self->stream_.get_executor(),
              [self, respond = std::move(respond)] { self->respond(respond); });
  });
}

void Connection::watch_for_hangup() {
  // Bytes already buffered belong to a pipelined request; the client is still there.
  if (buffer_.size() > 0) return;
  watch_pending_ = true;
  // On the raw socket, outside tcp_stream's timer: an in-flight request has no read deadline.
  stream_.socket().async_read_some(
      buffer_.prepare(kReadChunk),
      beast::bind_front_handler(&Connection::on_watch, shared_from_this()));
}

void Connection::on_watch(beast::error_code ec, std::size_t bytes) {
  watch_pending_ = false;
  if (!ec) {
    buffer_.commit(bytes);  // the next request started early; parse it after this answer
  } else if (ec == net::error::eof && !resume_after_watch_ && probe_after_end_of_stream()) {
    return;  // on_probe_error decides
  } else if (ec != net::error::operation_aborted) {
    peer_gone_ = true;
    if (cancel_) cancel_->cancel();  // the service drops the request's queued pairs
  }
  resume_after_watch();
}

bool Connection::probe_after_end_of_stream() {
  // The client sent FIN. It may have closed (gone: cancel its pairs) or only shut its sending
  // side (HTTP/1.1 allows it; it still reads the answer). Only a write tells them apart: a
  // closed peer answers data with a reset. An interim 100 is a write every HTTP/1.1 client
  // must accept and skip (RFC 9110, 15.2), even unasked; it is 25 bytes into an empty send
  // buffer, so the synchronous send cannot block.
  keep_alive_ = false;  // no next request can come
  beast::error_code ec;
  stream_.socket().send(net::buffer(kContinue.data(), kContinue.size()), 0, ec);
  if (ec) return false;
  watch_pending_ = true;
  // Completes on an error or hang-up only (EPOLLERR / EPOLLHUP: the reset), never on the FIN
  // already read.
  stream_.socket().async_wait(
      net::socket_base::wait_error,
      beast::bind_front_handler(&Connection::on_probe_error, shared_from_this()));
  return true;
}

void Connection::on_probe_error(beast::error_code ec) {
  watch_pending_ = false;
  if (ec != net::error::operation_aborted) {
    peer_gone_ = true;
    if (cancel_) cancel_->cancel();
  }
  resume_after_watch();
}

void Connection::resume_after_watch() {
  if (resume_after_watch_) {
    resume_after_watch_ = false;
    if (peer_gone_) return close();
    wait_for_request();
  }
}

void Connection::respond(const Respond& respond) {
  if (phase_ != Phase::kInFlight) return;  // answered already (cannot happen) or closed
  write(respond());                        // the router's Respond catches what the encoder throws
}

void Connection::answer_and_close(HttpResponse response) {
  if (request_id_.empty()) request_id_ = generate_request_id();
  state_->router.finish(route_, request_id_, response);
  keep_alive_ = false;
  write(std::move(response));
}

void Connection::write(HttpResponse response) {
  phase_ = Phase::kWriting;
  // Draining closes each connection after its answer, so that keep-alive clients come back
  // through the balancer, which no longer sends them here.
  const auto& draining = state_->router.context().draining;
  // Past max_idle_connections, this connection closes rather than wait with the others.
  const bool keep_alive =
      keep_alive_ && !peer_gone_ && !state_->stopping.load() && !(draining && draining->load()) &&
      state_->idle_connections.load() < state_->options.server.max_idle_connections;
  keep_alive_ = keep_alive;
  response_.emplace(static_cast<bhttp::status>(response.status), 11);
  response_->set(bhttp::field::server, "rerankd");
  response_->set(bhttp::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) response_->set(name, value);
  response_->body() = std::move(response.body);
  response_->keep_alive(keep_alive);
  response_->prepare_payload();
  // HEAD: GET's header, Content-Length included, without the body.
  if (head_request_) response_->body().clear();
  stream_.expires_after(ms(state_->options.server.body_timeout_ms));
  bhttp::async_write(
      stream_, *response_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void Connection::on_write(beast::error_code ec) {
  response_.reset();
  cancel_.reset();
  release_body_bytes();
  if (ec) return close();
  if (!keep_alive_) return drain_and_close();
  if (watch_pending_) {
    // Stop the hang-up watch first; its handler continues with the next request.
    resume_after_watch_ = true;
    beast::error_code cancel_ec;
    stream_.socket().cancel(cancel_ec);
    return;
  }
  wait_for_request();
}

void Connection::drain_and_close() {
  phase_ = Phase::kClosed;
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (ec || watch_pending_) return close();
  drained_bytes_ = 0;
  stream_.expires_after(kDrainTimeout);
  stream_.async_read_some(net::buffer(drain_buffer_),
                          beast::bind_front_handler(&Connection::on_drain, shared_from_this()));
}

void Connection::on_drain(beast::error_code ec, std::size_t bytes) {
  drained_bytes_ += bytes;
  if (ec || drained_bytes_ > kMaxDrainBytes) return close();
  stream_.async_read_some(net::buffer(drain_buffer_),
                          beast::bind_front_handler(&Connection::on_drain, shared_from_this()));
}

void Connection::close() {
  phase_ = Phase::kClosed;
  set_idle(false);
  disarm_deadline();
  release_body_bytes();
  if (cancel_) cancel_->cancel();
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  stream_.close();
}

}  // namespace rerankd::http
