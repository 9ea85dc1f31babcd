#include "bench/server_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <thread>

#include "bench/child_process.h"

extern char** environ;

namespace rerankd::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr auto kStopGrace = std::chrono::seconds(30);  // SIGTERM lets admitted requests finish
constexpr std::string_view kListening = "listening on http://";

std::filesystem::path make_run_dir() {
  static std::atomic<int> counter{0};
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("rerankd-bench-server-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  std::filesystem::create_directories(dir, ignored);
  return dir;
}

Status write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return internal_error(path.string() + ": cannot write");
  return Status::ok_status();
}

// `rerankd serve --config FILE` with standard output and error appended to `log`.
Result<pid_t> spawn_server(const std::filesystem::path& binary, const std::filesystem::path& config,
                           const std::filesystem::path& log) {
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return internal_error(log.string() + ": " + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, log_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, log_fd, STDERR_FILENO);
  std::vector<std::string> argv{binary.string(), "serve", "--config", config.string()};
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(log_fd);
  if (spawned != 0) {
    return internal_error(binary.string() + ": cannot start: " + std::strerror(spawned));
  }
  return pid;
}

// The port of the "listening on http://HOST:PORT" line in the log, once it is complete.
std::optional<std::uint16_t> listening_port(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) return std::nullopt;  // a line still being written
    const auto marker = line.find(kListening);
    if (marker == std::string::npos) continue;
    const auto colon = line.rfind(':');
    if (colon < marker + kListening.size()) return std::nullopt;
    return static_cast<std::uint16_t>(std::atoi(line.c_str() + colon + 1));
  }
  return std::nullopt;
}

// The HTTP status of GET `path` on 127.0.0.1:`port`; 0 when there is no answer.
unsigned get_status(std::uint16_t port, const char* path) {
  namespace beast = boost::beast;
  namespace bhttp = boost::beast::http;
  namespace net = boost::asio;
  net::io_context io;
  net::ip::tcp::socket socket(io);
  beast::error_code ec;
  socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return 0;
  bhttp::request<bhttp::empty_body> request{bhttp::verb::get, path, 11};
  request.set(bhttp::field::host, "127.0.0.1");
  bhttp::write(socket, request, ec);
  if (ec) return 0;
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  bhttp::read(socket, buffer, response, ec);
  socket.close(ec);
  return response.result_int();
}

bool exited(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == pid;
}

}  // namespace

std::filesystem::path rerankd_binary() {
  if (const char* env = std::getenv("RERANKD_BINARY"); env != nullptr && *env != '\0') return env;
  // Not resolved: /proc/self/exe still runs this very binary after a rebuild has replaced the
  // file, so the server is always the harness's own version.
  return "/proc/self/exe";
}

LaunchedServer::~LaunchedServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    const auto deadline = SteadyClock::now() + kStopGrace;
    bool gone = exited(pid_);
    while (!gone && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(kPollInterval);
      gone = exited(pid_);
    }
    if (!gone) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  }
  std::error_code ignored;
  if (!config_file_.empty()) std::filesystem::remove_all(config_file_.parent_path(), ignored);
}

std::string LaunchedServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

Result<std::unique_ptr<LaunchedServer>> launch_server(const config::Config& config,
                                                      const std::filesystem::path& model_dir,
                                                      int start_timeout_ms) {
  config::Config effective = config;
  effective.server.port = 0;
  effective.model.path = model_dir.string();
  // The harness's HTTP target sends no Authorization header (and to_yaml redacts the key).
  effective.server.api_key.clear();

  std::unique_ptr<LaunchedServer> server(new LaunchedServer());
  const auto dir = make_run_dir();
  server->config_file_ = dir / "config.yaml";
  server->log_file_ = dir / "server.log";
  RERANKD_RETURN_IF_ERROR(write_text(server->config_file_, config::to_yaml(effective)));
  RERANKD_ASSIGN_OR_RETURN(server->pid_,
                           spawn_server(rerankd_binary(), server->config_file_, server->log_file_));

  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(start_timeout_ms);
  const auto failed = [&](const std::string& why) {
    return Status(StatusCode::kUnavailable,
                  "rerankd serve " + why + "; its log ends:\n" + file_tail(server->log_file_));
  };
  while (server->port_ == 0) {
    if (exited(server->pid_)) {
      server->pid_ = -1;  // reaped
      return failed("exited before listening");
    }
    if (SteadyClock::now() >= deadline) return failed("did not start listening in time");
    server->port_ = listening_port(server->log_file_).value_or(0);
    if (server->port_ == 0) std::this_thread::sleep_for(kPollInterval);
  }
  while (get_status(server->port_, "/ready") != 200) {
    if (exited(server->pid_)) {
      server->pid_ = -1;
      return failed("exited before /ready answered 200");
    }
    if (SteadyClock::now() >= deadline) return failed("/ready did not answer 200 in time");
    std::this_thread::sleep_for(kPollInterval);
  }
  return server;
}

}  // namespace rerankd::bench
