#include "http/server.h"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "common/build_info.h"
#include "http/connection.h"
#include "http/error_map.h"
#include "http/server_state.h"

namespace rerankd::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Server::Impl {
  explicit Impl(std::shared_ptr<ServerState> server_state)
      : state(std::move(server_state)),
        acceptor(net::make_strand(state->io_context)),
        retry_timer(acceptor.get_executor()),
        work(net::make_work_guard(state->io_context)) {}

  Status listen();
  void accept();
  void on_accept(boost::system::error_code ec, tcp::socket socket);

  std::shared_ptr<ServerState> state;
  tcp::acceptor acceptor;
  net::steady_timer retry_timer;  // after an accept error such as "too many open files"
  // Keeps the I/O threads running while no socket operation is pending, e.g. while the only
  // open connection waits for the service's answer (which arrives by post).
  net::executor_work_guard<net::io_context::executor_type> work;
  std::uint16_t port = 0;
  std::vector<std::thread> threads;
  std::once_flag stopped;
  std::shared_ptr<std::atomic<bool>> draining;  // the router's RouterContext::draining
};

Status Server::Impl::listen() {
  const config::ServerConfig& config = state->options.server;
  boost::system::error_code ec;
  const net::ip::address address = net::ip::make_address(config.host, ec);
  if (ec) return invalid_argument("server.host: \"" + config.host + "\" is not an IP address");
  if (config.port < 0 || config.port > 65535) {
    return invalid_argument("server.port: " + std::to_string(config.port) + " is out of range");
  }
  const tcp::endpoint endpoint(address, static_cast<std::uint16_t>(config.port));
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(StatusCode::kUnavailable, "cannot listen on " + config.host + ":" +
                                                std::to_string(config.port) + ": " + ec.message());
  }
  port = acceptor.local_endpoint().port();
  return Status::ok_status();
}

void Server::Impl::accept() {
  // Each connection gets its own strand: its handlers never run concurrently, and no thread is
  // tied to a connection.
  acceptor.async_accept(net::make_strand(state->io_context),
                        [this](boost::system::error_code ec, tcp::socket socket) {
                          on_accept(ec, std::move(socket));
                        });
}

void Server::Impl::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (!acceptor.is_open() || state->stopping.load()) return;
  if (ec) {
    // Out of descriptors or a transient network error: back off briefly instead of spinning.
    retry_timer.expires_after(std::chrono::milliseconds(50));
    retry_timer.async_wait([this](boost::system::error_code wait_ec) {
      if (!wait_ec) accept();
    });
    return;
  }
  boost::system::error_code option_ec;
  socket.set_option(tcp::no_delay(true), option_ec);
  bool full = false;
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    full = state->connections.size() - static_cast<std::size_t>(state->refusing_connections) >=
           static_cast<std::size_t>(state->options.server.max_connections);
  }
  auto connection = std::make_shared<Connection>(state, std::move(socket));
  if (full) {
    // Answered and closed, not left unaccepted: a client in the backlog would wait for its
    // own timeout and learn nothing.
    connection->refuse(error_response(HttpFailure::kBusy,
                                      "the server has server.max_connections " +
                                          std::to_string(state->options.server.max_connections) +
                                          " connections open; retry later"));
  } else {
    connection->start();
  }
  accept();
}

Result<std::unique_ptr<Server>> Server::start(const ServerOptions& options,
                                              engine::ScoringService& service,
                                              metrics::Registry* registry) {
  RouterContext context;
  context.service = &service;
  context.registry = registry;
  context.limits.max_client_batch_size =
      static_cast<std::size_t>(std::max(0, options.server.max_client_batch_size));
  context.limits.auto_truncate = options.server.auto_truncate;
  context.request_timeout_ms = options.server.request_timeout_ms;
  context.api_key = options.server.api_key;
  context.metrics = options.server.metrics;
  context.access_log = options.server.access_log;
  auto draining = std::make_shared<std::atomic<bool>>(false);
  context.draining = draining;
  context.version = options.version.empty() ? std::string(build_info().version) : options.version;

  try {
    auto impl = std::make_unique<Impl>(std::make_shared<ServerState>(options, std::move(context)));
    impl->draining = std::move(draining);
    RERANKD_RETURN_IF_ERROR(impl->listen());
    impl->accept();
    const int threads = std::max(1, options.server.io_threads);
    for (int i = 0; i < threads; ++i) {
      impl->threads.emplace_back([state = impl->state] { state->io_context.run(); });
    }
    return std::unique_ptr<Server>(new Server(std::move(impl)));
  } catch (const std::exception& e) {
    return internal_error(std::string("starting the HTTP server: ") + e.what());
  }
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

std::uint16_t Server::port() const { return impl_->port; }

void Server::begin_drain() { impl_->draining->store(true); }

void Server::stop() {
  std::call_once(impl_->stopped, [this] {
    ServerState& state = *impl_->state;
    std::vector<std::shared_ptr<Connection>> live;
    {
      std::lock_guard<std::mutex> lock(state.mutex);
      state.stopping.store(true);
      for (auto& [key, weak] : state.connections) {
        if (auto connection = weak.lock()) live.push_back(std::move(connection));
      }
    }
    net::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
      boost::system::error_code ec;
      impl->acceptor.close(ec);
      impl->retry_timer.cancel();
    });
    for (auto& connection : live) {
      net::post(connection->executor(), [connection] { connection->on_server_stop(); });
    }
    live.clear();
    {
      std::unique_lock<std::mutex> lock(state.mutex);
      state.drained.wait_for(lock, std::chrono::milliseconds(state.options.server.drain_timeout_ms),
                             [&] { return state.connections.empty(); });
    }
    // Anything still open after the drain timeout is abandoned.
    impl_->work.reset();
    state.io_context.stop();
    for (std::thread& thread : impl_->threads) thread.join();
  });
}

}  // namespace rerankd::http
