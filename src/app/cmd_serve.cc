// rerankd serve: the long-running HTTP server. Config from defaults, then --config FILE, then
// the environment (TEI's names and RERANKD_<KEY>, see env_config.h), then flags (--model,
// --port and every dotted key, e.g. --batching.max_batch_size 96).
#include <fmt/core.h>
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <thread>

#include "app/commands.h"
#include "app/engine_flags.h"
#include "app/env_config.h"
#include "common/build_info.h"
#include "config/config.h"
#include "engine/deferred_service.h"
#include "engine/serving_engine.h"
#include "http/server.h"
#include "metrics/metrics.h"

namespace rerankd::app {
namespace {

struct ServeFlags {
  std::string config_file;
  bool print_config = false;
  std::string model;
  std::string revision;
  bool offline = false;
  int port = -1;
  std::map<std::string, std::string> keys;  // dotted key -> value, only those given
};

Result<config::Config> effective_config(const ServeFlags& flags) {
  config::Config config;
  if (!flags.config_file.empty()) {
    RERANKD_ASSIGN_OR_RETURN(config, config::load_config_file(flags.config_file));
  }
  // The environment, then the flags: a flag wins over a variable, a variable over the file.
  EnvironmentOverrides environment =
      environment_overrides([](const char* name) { return std::getenv(name); });
  for (const std::string& warning : environment.warnings) {
    fmt::print(stderr, "rerankd serve: {}\n", warning);
  }
  RERANKD_RETURN_IF_ERROR(config::apply_overrides(config, environment.overrides));
  std::vector<std::pair<std::string, std::string>> overrides;
  if (!flags.model.empty()) overrides.emplace_back("model.path", flags.model);
  if (flags.port >= 0) overrides.emplace_back("server.port", std::to_string(flags.port));
  for (const auto& key : config::config_keys()) {  // file order, so the result is predictable
    if (const auto found = flags.keys.find(key); found != flags.keys.end()) {
      overrides.emplace_back(key, found->second);
    }
  }
  RERANKD_RETURN_IF_ERROR(config::apply_overrides(config, overrides));
  RERANKD_RETURN_IF_ERROR(config.validate());
  return config;
}

// SIGINT and SIGTERM are blocked before any thread starts, so every thread inherits the mask
// and the main thread alone receives them through sigwait.
const char* signal_name(int signal_number) {
  return signal_number == SIGTERM ? "SIGTERM" : "SIGINT";
}

// After the first stop signal: /ready turns 503 at once and requests are still served for
// `delay_ms` (a balancer checking /ready stops sending meanwhile), unless a second stop signal
// comes first. The caller then stops listening and lets what is in flight finish.
void drain(http::Server& server, int delay_ms, const sigset_t& stop_signals, int signal_number) {
  server.begin_drain();
  if (delay_ms <= 0) {
    fmt::print(stderr, "rerankd serve: {} received; finishing admitted requests\n",
               signal_name(signal_number));
    return;
  }
  fmt::print(stderr,
             "rerankd serve: {} received; draining: /ready is 503, requests are served for "
             "{} ms more\n",
             signal_name(signal_number), delay_ms);
  std::fflush(stderr);
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms);
  for (;;) {
    const auto left = end - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds::zero()) break;
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left);
    const timespec timeout{static_cast<time_t>(seconds.count()),
                           static_cast<long>((left - seconds).count())};
    const int received = sigtimedwait(&stop_signals, nullptr, &timeout);
    if (received == SIGTERM || received == SIGINT) {
      fmt::print(stderr, "rerankd serve: {} received; draining cut short\n", signal_name(received));
      break;
    }
  }
  fmt::print(stderr, "rerankd serve: stopped listening; finishing admitted requests\n");
}

sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);  // the model loader's "done"
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// The model's directory (downloaded when it is a Hub id not in the cache) and the engine on it.
struct LoadedModel {
  Status status;
  std::filesystem::path dir;
  std::unique_ptr<engine::ServingEngine> engine;
};

LoadedModel load_model(const config::Config& config, const ServeFlags& flags,
                       metrics::Registry& registry) {
  LoadedModel loaded;
  auto dir = resolve_model_flag(config.model.path, flags.revision, flags.offline);
  if (!dir.ok()) {
    loaded.status = dir.status();
    return loaded;
  }
  loaded.dir = *dir;
  fmt::print(stderr, "rerankd serve: loading {} ({} backend, {})\n", dir->string(),
             config.model.backend, config.model.dtype);
  auto engine = engine::ServingEngine::create(config, *dir, &registry);
  if (!engine.ok()) {
    loaded.status = engine.status();
    return loaded;
  }
  loaded.engine = std::move(*engine);
  return loaded;
}

engine::ServiceInfo placeholder_info(const config::Config& config) {
  engine::ServiceInfo info;
  info.model_id = config.model.path;
  info.backend = config.model.backend;
  info.dtype = config.model.dtype;
  return info;
}

// glibc raises its mmap threshold to the size of each large block that is freed, so after the
// first burst of multi-MiB request bodies every later one comes from the heap, and the heap
// does not shrink: a hostile test kept 1.6 GB after 200 bodies of 8 MiB. A fixed threshold
// keeps bodies (and answers) of a MiB and more in their own mappings, returned when freed.
void return_large_blocks_to_the_system() { mallopt(M_MMAP_THRESHOLD, 1 << 20); }

int run_serve(const ServeFlags& flags) {
  return_large_blocks_to_the_system();
  const auto config = effective_config(flags);
  if (!config.ok()) return report_failure("serve", config.status());
  if (flags.print_config) {
    fmt::print("{}", config::to_yaml(*config));
    return 0;
  }

  const sigset_t stop_signals = block_stop_signals();
  metrics::Registry registry;
  const BuildInfo& build = build_info();
  registry
      .gauge("rerankd_build_info", "1, labelled with this binary's version, commit and build type",
             fmt::format("version=\"{}\",commit=\"{}\",build_type=\"{}\"", build.version,
                         build.commit, build.build_type))
      .set(1);

  // Listening before the model is there: /health answers and /ready is 503 while a Hub model
  // downloads and loads (probes see a live, unready server, as with TEI).
  engine::DeferredService service(placeholder_info(*config));
  http::ServerOptions options;
  options.server = config->server;
  auto server = http::Server::start(options, service, &registry);
  if (!server.ok()) return report_failure("serve", server.status());
  fmt::print(stderr,
             "rerankd serve: /health is up on http://{}:{}; /ready once the model is loaded\n",
             config->server.host, (*server)->port());

  // The load runs beside the signal wait, so SIGTERM stops a long download at once; it says it
  // is done with SIGUSR1, which is blocked with the stop signals.
  LoadedModel loaded;
  std::thread loader([&] {
    loaded = load_model(*config, flags, registry);
    kill(getpid(), SIGUSR1);
  });
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  if (signal_number != SIGUSR1) {
    fmt::print(stderr, "rerankd serve: {} received while loading the model; stopped\n",
               signal_name(signal_number));
    std::fflush(stderr);
    std::_Exit(1);  // the loader may be mid-download; a partial blob resumes next time
  }
  loader.join();
  if (!loaded.status.ok()) {
    (*server)->stop();
    return report_failure("serve", loaded.status);
  }
  if (loaded.engine->info().random_weights) warn_random_weights(loaded.dir);
  service.set(loaded.engine.get());
  // Tests and scripts read the bound port from this line, printed once the model is ready.
  fmt::print("rerankd listening on http://{}:{}\n", config->server.host, (*server)->port());
  std::fflush(stdout);

  do {
    sigwait(&stop_signals, &signal_number);
  } while (signal_number == SIGUSR1);
  drain(**server, config->server.shutdown_delay_ms, stop_signals, signal_number);
  (*server)->stop();
  loaded.engine->shutdown();
  fmt::print(stderr, "rerankd serve: stopped\n");
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, CommandRunner& selected) {
  auto flags = std::make_shared<ServeFlags>();
  auto* command =
      app.add_subcommand("serve", "Run the HTTP server (TEI, Cohere v1/v2 and Jina APIs)");
  command->add_option("--config,-c", flags->config_file, "YAML config file")
      ->check(CLI::ExistingFile);
  command->add_flag("--print-config", flags->print_config, "Print the effective config and exit");
  command->add_option("--model,-m", flags->model, "Same as --model.path");
  add_hub_flags(*command, flags->revision, flags->offline);
  command->add_option("--port,-p", flags->port, "Same as --server.port")
      ->check(CLI::Range(0, 65535));
  for (const auto& key : config::config_keys()) {
    command->add_option_function<std::string>(
        "--" + key, [flags, key](const std::string& value) { flags->keys[key] = value; },
        std::string(config::config_key_help(key)));
  }
  command->callback([flags, &selected] { selected = [flags] { return run_serve(*flags); }; });
}

}  // namespace rerankd::app
