#include "bench/peer_runner.h"

#include <thread>

#include "bench/child_process.h"
#include "bench/results_io.h"

namespace rerankd::bench {
namespace {

std::string format_seconds(double seconds) {
  std::string text = std::to_string(seconds);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

int peer_threads(const RunSettings& settings) {
  if (settings.config.model.threads > 0) return settings.config.model.threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::string stem_of(const std::string& script) {
  return std::filesystem::path(script).stem().string();
}

}  // namespace

std::vector<std::string> peer_command(const PeerSpec& peer, const GridPoint& point,
                                      const PeerContext& context,
                                      const std::filesystem::path& out_file) {
  const RunSettings& s = point.settings;
  std::filesystem::path script(peer.script);
  if (script.is_relative()) script = context.repo_dir / script;
  const bool gpu = s.config.model.backend == "cuda";
  std::vector<std::string> argv = {context.python, script.string(),
                                   "--model",      context.model_dir.string(),
                                   "--data-dir",   context.data_dir.string(),
                                   "--batch-size", std::to_string(s.workload.documents),
                                   "--threads",    std::to_string(peer_threads(s)),
                                   "--device",     gpu ? "cuda" : "cpu",
                                   "--dtype",      s.config.model.dtype,
                                   "--warmup-s",   format_seconds(s.load.warmup_s),
                                   "--duration-s", format_seconds(s.load.duration_s),
                                   "--experiment", context.experiment,
                                   "--out",        out_file.string()};
  if (s.load.requests > 0) {
    argv.insert(argv.end(), {"--batches", std::to_string(s.load.requests)});
  }
  // The workload's shape and truncation, where they differ from the peers' defaults (one passage
  // a document, all 600 requests, 512 tokens).
  if (s.workload.passages_per_document != 1) {
    argv.insert(argv.end(),
                {"--passages-per-document", std::to_string(s.workload.passages_per_document)});
  }
  if (s.workload.requests > 0) {
    argv.insert(argv.end(), {"--requests", std::to_string(s.workload.requests)});
  }
  if (s.config.model.max_length > 0) {
    argv.insert(argv.end(), {"--max-length", std::to_string(s.config.model.max_length)});
  }
  if (s.load.repeats > 1) {
    argv.insert(argv.end(), {"--repeats", std::to_string(s.load.repeats)});
  }
  for (const auto& [key, value] : point.params) {
    argv.insert(argv.end(), {"--param", key + "=" + value});
  }
  argv.insert(argv.end(), peer.args.begin(), peer.args.end());
  return argv;
}

std::vector<ResultPoint> run_peer(const PeerSpec& peer, const GridPoint& point,
                                  const PeerContext& context) {
  static int run_number = 0;  // the runner is single-threaded
  const std::string name = stem_of(peer.script) + "-" + std::to_string(++run_number);
  const auto out_file = context.work_dir / (name + ".json");
  const auto log_file = context.work_dir / (name + ".log");
  const auto failed = [&](const std::string& why) {
    ResultPoint point_failed;
    point_failed.system = stem_of(peer.script);
    point_failed.label = point_failed.system;
    point_failed.params = point.params;
    point_failed.status = PointStatus::kFailed;
    point_failed.note = why;
    return std::vector<ResultPoint>{point_failed};
  };
  const auto exit_status = run_child(peer_command(peer, point, context, out_file), log_file);
  if (!exit_status.ok()) return failed(exit_status.status().message());
  if (*exit_status != 0) {
    return failed(peer.script + " exited with status " + std::to_string(*exit_status) + ": " +
                  file_tail(log_file, 600));
  }
  auto result = load_results_file(out_file);
  if (!result.ok()) return failed(result.status().message());
  return std::move(result->points);
}

}  // namespace rerankd::bench

namespace rerankd::bench {

std::vector<ResultPoint> PeerRuns::run(const PeerSpec& peer, const GridPoint& point) {
  std::string key;
  const auto argv = peer_command(peer, point, context_, "");
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "--param") {
      ++i;  // the params are the point's, not the peer's inputs
      continue;
    }
    key.append(argv[i]).push_back('\0');
  }
  auto found = done_.find(key);
  if (found == done_.end()) {
    found = done_.emplace(key, run_peer(peer, point, context_)).first;
  }
  std::vector<ResultPoint> points = found->second;
  for (ResultPoint& p : points) p.params = point.params;
  return points;
}

}  // namespace rerankd::bench
