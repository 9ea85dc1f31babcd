// The HTTP/1.1 server: an acceptor and a fixed set of I/O threads (Boost.Asio underneath, kept
// out of this header), keep-alive connections, limits and timeouts from config::ServerConfig,
// routes over an engine::ScoringService.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "engine/service.h"
#include "metrics/metrics.h"

namespace rerankd::http {

struct ServerOptions {
  // host, port (0 = ephemeral), io_threads, max_client_batch_size, auto_truncate,
  // request_timeout_ms, max_body_bytes, header/body/idle timeouts, drain_timeout_ms, api_key.
  config::ServerConfig server;
  std::string version;  // shown by /info and /openapi.json; empty: the build's version
};

class Server {
 public:
  // Binds and listens on server.host:server.port and starts the I/O threads. `service` and
  // `registry` (may be null) are not owned and must outlive the Server.
  static Result<std::unique_ptr<Server>> start(const ServerOptions& options,
                                               engine::ScoringService& service,
                                               metrics::Registry* registry);

  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (the ephemeral one when server.port was 0). Thread-safe.
  std::uint16_t port() const;

  // The start of a graceful shutdown: from now on /ready answers 503 ("draining") so that a
  // balancer's health check takes this server out, while every request is still accepted and
  // answered, each on a connection that then closes (a keep-alive client reconnects, through
  // the balancer, elsewhere). Thread-safe; stop() follows.
  void begin_drain();

  // Graceful: stops accepting, closes idle connections, lets in-flight requests be answered
  // (their connections then close), and returns when all connections are gone or after
  // server.drain_timeout_ms. Idempotent; thread-safe; must not be called from an I/O thread.
  void stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rerankd::http
