// A real `rerankd serve` process for integration tests: started on port 0, its bound port read
// from its "listening on" line, stopped with a signal.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rerankd::testing {

class ServerProcess {
 public:
  // Starts `rerankd serve --port 0 <args>` and waits (up to `start_timeout_ms`) for it to
  // listen. started() is false when it exited or never said so; stderr_text() tells why.
  explicit ServerProcess(const std::vector<std::string>& args, int start_timeout_ms = 120000);
  ~ServerProcess();  // SIGKILL if still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool started() const { return port_ != 0; }
  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

  // Sends `signal_number` and waits for the exit; returns the exit status (128 + signal when
  // killed by one), or -1 after `timeout_ms` without an exit.
  int stop(int signal_number, int timeout_ms = 60000);

  // The two halves of stop(): send a signal and go on; wait for the exit (as stop returns).
  void send_signal(int signal_number);
  int wait_for_exit(int timeout_ms = 60000);

  // Everything the server wrote to standard error so far.
  std::string stderr_text() const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::filesystem::path stderr_file_;
};

}  // namespace rerankd::testing
