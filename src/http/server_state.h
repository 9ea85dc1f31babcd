// What the acceptor, every connection and the Server share (internal to src/http; Asio types
// are allowed here but not in server.h). Connections hold it by shared_ptr, so the io_context
// and the router outlive any completion still on its way back from the service.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
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
};

}  // namespace rerankd::http
