// What the acceptor, every connection and the Server share (internal to src/http; Asio types
// are allowed here but not in server.h). Connections hold it by shared_ptr, so the io_context
// and the router outlive any completion still on its way back from the service.
#pragma once

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "http/router.h"
#include "http/server.h"

namespace rerankd::http {

class Connection;

struct ServerState {
  ServerState(const ServerOptions& server_options, RouterContext router_context)
      : io_context(std::max(1, server_options.server.io_threads)),
        options(server_options),
        router(std::move(router_context)) {}

  boost::asio::io_context io_context;
  const ServerOptions options;
  const Router router;
  std::atomic<bool> stopping{false};

  // Live connections, so stop() can reach the idle ones. Guarded by `mutex`; `drained` is
  // notified when the last one goes.
  std::mutex mutex;
  std::condition_variable drained;
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> connections;

  // Of `connections`, those answering 503 past max_connections: they do not count against it,
  // but stop() waits for them as for the others (a handler still queued for one at the
  // io_context's stop would hold it, and through it this state and the io_context: a cycle).
  int refusing_connections = 0;  // guarded by `mutex`

  // Connections waiting between requests (server.max_idle_connections).
  std::atomic<int> idle_connections{0};

  // Bytes of request bodies that connections hold, from the header that announces them until
  // the answer is written (server.max_buffered_body_bytes). False, and nothing taken, when
  // `bytes` more would pass the limit.
  bool reserve_body_bytes(std::int64_t bytes) {
    // Never below max_body_bytes: a largest body alone always fits.
    const std::int64_t limit =
        std::max(options.server.max_buffered_body_bytes, options.server.max_body_bytes);
    std::int64_t held = buffered_body_bytes.load();
    do {
      if (held + bytes > limit) return false;
    } while (!buffered_body_bytes.compare_exchange_weak(held, held + bytes));
    return true;
  }
  void release_body_bytes(std::int64_t bytes) { buffered_body_bytes.fetch_sub(bytes); }
  std::atomic<std::int64_t> buffered_body_bytes{0};
};

}  // namespace rerankd::http
