#include "bench/runner.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "bench/machine_info.h"
#include "bench/peer_runner.h"
#include "bench/point_measure.h"
#include "bench/progress_bar.h"
#include "bench/sweep.h"
#include "bench/target_pool.h"
#include "model/hub/model_source.h"

namespace rerankd::bench {
namespace {

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string params_text(const GridPoint& point) {
  std::string text;
  for (const auto& [key, value] : point.params) {
    // append(), not operator+ chains: GCC 12 warns falsely (-Wrestrict) on those.
    const auto dot = key.rfind('.');
    if (!text.empty()) text.append(" ");
    text.append(key, dot == std::string::npos ? 0 : dot + 1).append("=").append(value);
  }
  return text.empty() ? "base" : text;
}

std::string point_line(const ResultPoint& point) {
  char text[160];
  if (point.status == PointStatus::kOk) {
    std::snprintf(text, sizeof text, "%s: %.1f pairs/s, p50 %.1f ms, p99 %.1f ms, %lld errors",
                  point.system.c_str(), point.pairs_per_s, point.latency_ms.p50,
                  point.latency_ms.p99, static_cast<long long>(point.errors));
    return text;
  }
  return point.system + ": " + (point.status == PointStatus::kNotBuilt ? "not built" : "failed") +
         " (" + point.note + ")";
}

}  // namespace

Result<ExperimentResult> run_experiment(const Experiment& experiment,
                                        const RunnerOptions& options) {
  const std::string model = !options.model_override.empty() ? options.model_override
                            : !experiment.model.empty()     ? experiment.model
                                                            : experiment.base.config.model.path;
  RERANKD_ASSIGN_OR_RETURN(
      const auto model_dir,
      model::hub::resolve_model(model, "", model::hub::hub_settings_from_environment()));
  Experiment adjusted = experiment;
  for (const auto& [key, value] : options.overrides) {
    RERANKD_RETURN_IF_ERROR(apply_setting(adjusted.base, key, value));
  }
  RERANKD_ASSIGN_OR_RETURN(std::vector<GridPoint> grid, expand_grid(adjusted));
  for (GridPoint& point : grid) point.settings.config.model.path = model;

  ExperimentResult result;
  result.experiment = experiment.name;
  result.description = experiment.description;
  result.started_at = utc_now_iso8601();
  result.machine = collect_machine_info();
  result.x_key = experiment.x_key;
  result.latency_target_p50_ms = experiment.latency_target_p50_ms;

  const auto work_dir = options.out_dir / experiment.name / "peers";
  std::error_code ec;
  std::filesystem::create_directories(work_dir, ec);
  if (ec) return internal_error(work_dir.string() + ": " + ec.message());
  PeerRuns peers(PeerContext{experiment.name, model_dir, options.data_dir, options.repo_dir,
                             work_dir, options.python});

  ProgressBar bar(options.progress_bar, experiment.name, grid.size());
  TargetPool pool(model_dir);
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const GridPoint& point = grid[i];
    std::vector<ResultPoint> measured = {
        measure_point(pool, point, options.data_dir, [&](double f) { bar.update(i, f); })};
    if (options.run_peers) {
      for (const PeerSpec& peer : experiment.peers) {
        for (ResultPoint& p : peers.run(peer, point)) measured.push_back(std::move(p));
      }
    }
    for (ResultPoint& p : measured) {
      if (options.log) {
        bar.clear();
        options.log(experiment.name + " [" + std::to_string(i + 1) + "/" +
                    std::to_string(grid.size()) + "] " + params_text(point) + " " + point_line(p));
      }
      result.points.push_back(std::move(p));
    }
  }
  pool.release();
  bar.clear();
  return result;
}

}  // namespace rerankd::bench
