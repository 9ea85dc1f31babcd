#include "support/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/test_env.h"

namespace rerankd::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;

int elapsed_ms(SteadyClock::time_point since) {
  return static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - since).count());
}

// Reads stdout until "listening on http://HOST:PORT" and returns PORT (0 if it never comes).
std::uint16_t read_listening_port(int fd, int timeout_ms) {
  const auto start = SteadyClock::now();
  std::string seen;
  char buffer[4096];
  while (elapsed_ms(start) < timeout_ms) {
    pollfd poll_fd{fd, POLLIN, 0};
    if (::poll(&poll_fd, 1, 200) <= 0) continue;
    const auto n = ::read(fd, buffer, sizeof(buffer));
    if (n <= 0) return 0;  // the process closed stdout: it exited
    seen.append(buffer, static_cast<std::size_t>(n));
    const auto marker = seen.find("listening on http://");
    if (marker == std::string::npos) continue;
    const auto line_end = seen.find('\n', marker);
    if (line_end == std::string::npos) continue;
    const auto colon = seen.rfind(':', line_end);
    return static_cast<std::uint16_t>(std::stoi(seen.substr(colon + 1, line_end - colon - 1)));
  }
  return 0;
}

}  // namespace

ServerProcess::ServerProcess(const std::vector<std::string>& args, int start_timeout_ms) {
  stderr_file_ = make_temp_dir("server") / "stderr.txt";
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    const int err = ::open(stderr_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    std::vector<std::string> argv{rerankd_binary().string(), "serve", "--port", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> raw;
    for (auto& arg : argv) raw.push_back(arg.data());
    raw.push_back(nullptr);
    ::execv(raw[0], raw.data());
    ::_exit(127);
  }
  ::close(out[1]);
  port_ = read_listening_port(out[0], start_timeout_ms);
  // Keep reading stdout in the background so the server never blocks on a full pipe.
  std::thread([fd = out[0]] {
    char buffer[4096];
    while (::read(fd, buffer, sizeof(buffer)) > 0) {
    }
    ::close(fd);
  }).detach();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::filesystem::remove_all(stderr_file_.parent_path());
}

int ServerProcess::stop(int signal_number, int timeout_ms) {
  if (pid_ <= 0) return -1;
  send_signal(signal_number);
  return wait_for_exit(timeout_ms);
}

void ServerProcess::send_signal(int signal_number) {
  if (pid_ > 0) ::kill(pid_, signal_number);
}

int ServerProcess::wait_for_exit(int timeout_ms) {
  if (pid_ <= 0) return -1;
  const auto start = SteadyClock::now();
  while (elapsed_ms(start) < timeout_ms) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

std::string ServerProcess::stderr_text() const {
  std::ifstream in(stderr_file_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace rerankd::testing
