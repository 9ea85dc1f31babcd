// Starts a `rerankd serve` child process for an HTTP run: the harness's own binary
// (/proc/self/exe), a config written to a temporary YAML file, port 0, and the bound port read
// from its "listening on http://HOST:PORT" line. Stopped with SIGTERM (then SIGKILL) when the
// handle dies.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/result.h"
#include "config/config.h"

namespace rerankd::bench {

class LaunchedServer {
 public:
  ~LaunchedServer();
  LaunchedServer(const LaunchedServer&) = delete;
  LaunchedServer& operator=(const LaunchedServer&) = delete;

  std::string url() const;  // "http://127.0.0.1:PORT"
  std::uint16_t port() const { return port_; }

 private:
  friend Result<std::unique_ptr<LaunchedServer>> launch_server(const config::Config&,
                                                               const std::filesystem::path&, int);
  LaunchedServer() = default;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::filesystem::path config_file_;
  std::filesystem::path log_file_;
};

// The rerankd binary to start: $RERANKD_BINARY when set (tests, whose own executable is a test
// program), otherwise this process's own executable as /proc/self/exe.
std::filesystem::path rerankd_binary();

// `config.server.port` is replaced by 0 and `config.model.path` by `model_dir`. Waits up to
// `start_timeout_ms` for the server to listen and /ready to answer 200; on failure the error
// quotes the tail of the server's stderr.
Result<std::unique_ptr<LaunchedServer>> launch_server(const config::Config& config,
                                                      const std::filesystem::path& model_dir,
                                                      int start_timeout_ms = 120000);

}  // namespace rerankd::bench
