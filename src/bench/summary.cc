#include "bench/summary.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>

#include "bench/recommend.h"
#include "bench/report_markdown.h"

namespace rerankd::bench {
namespace {

constexpr const char* kSelf = "rerankd";

std::string link(const ExperimentResult& r, const std::vector<std::string>& files, std::size_t i) {
  return i < files.size() && !files[i].empty() ? "[" + r.experiment + "](" + files[i] + ")"
                                               : r.experiment;
}

// "rerankd Batch=64" or "onnxruntime (fp32) Batch=64": which point, in one cell.
std::string point_name(const ResultPoint& p) {
  std::string name =
      p.system == kSelf ? "" : p.system + (p.label.empty() ? "" : " (" + p.label + ")") + " ";
  return name + format_params(p);
}

std::optional<std::size_t> best_throughput(const std::vector<ResultPoint>& points) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].status != PointStatus::kOk) continue;
    if (!best || points[i].pairs_per_s > points[*best].pairs_per_s) best = i;
  }
  return best;
}

std::string unavailable(const std::vector<ResultPoint>& points) {
  std::string out;
  for (const ResultPoint& p : points) {
    if (p.status == PointStatus::kOk) continue;
    out += (out.empty() ? "" : "; ") + p.system + (p.label.empty() ? "" : " (" + p.label + ")") +
           (p.status == PointStatus::kNotBuilt ? " not built" : " failed");
  }
  return out.empty() ? "-" : out;
}

std::string experiment_row(const ExperimentResult& r, const std::string& name) {
  const auto& pts = r.points;
  const std::optional<std::size_t> best = best_throughput(pts);
  const std::optional<Recommendation> sweet = sweet_spot(pts, r.latency_target_p50_ms);
  std::string row = "| " + name + " | ";
  row += best ? format_value(pts[*best].pairs_per_s) + " | " + point_name(pts[*best]) : "- | -";
  row += " | " + (r.latency_target_p50_ms > 0 ? format_value(r.latency_target_p50_ms) : "none");
  if (sweet) {
    const ResultPoint& s = pts[sweet->point];
    row += " | " + point_name(s) + " | " + format_value(s.pairs_per_s) + " | " +
           format_value(s.latency_ms.p50);
  } else {
    row += " | none | - | -";
  }
  return row + " | " + unavailable(pts) + " |\n";
}

std::vector<std::string> systems_of(const ExperimentResult& r) {
  std::vector<std::string> systems{kSelf};
  for (const ResultPoint& p : r.points) {
    if (std::find(systems.begin(), systems.end(), p.system) == systems.end()) {
      systems.push_back(p.system);
    }
  }
  return systems;
}

std::string x_of(const ResultPoint& p, const std::string& x_key) {
  for (const auto& [k, v] : p.params) {
    if (k == x_key) return v;
  }
  return x_key.empty() ? "all" : "-";
}

// x values in numeric order when they all are numbers, else in first-seen order.
std::vector<std::string> x_values(const ExperimentResult& r) {
  std::vector<std::string> xs;
  for (const ResultPoint& p : r.points) {
    if (p.status != PointStatus::kOk) continue;
    const std::string x = x_of(p, r.x_key);
    if (std::find(xs.begin(), xs.end(), x) == xs.end()) xs.push_back(x);
  }
  std::vector<std::pair<double, std::string>> numeric;
  for (const std::string& x : xs) {
    double v = 0;
    const auto [end, ec] = std::from_chars(x.data(), x.data() + x.size(), v);
    if (ec != std::errc() || end != x.data() + x.size()) return xs;
    numeric.emplace_back(v, x);
  }
  std::stable_sort(numeric.begin(), numeric.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = numeric[i].second;
  return xs;
}

// The best measured throughput of `system` at `x` over the other swept params; 0 when none.
double best_at(const ExperimentResult& r, const std::string& system, const std::string& x) {
  double best = 0;
  for (const ResultPoint& p : r.points) {
    if (p.status == PointStatus::kOk && p.system == system && x_of(p, r.x_key) == x) {
      best = std::max(best, p.pairs_per_s);
    }
  }
  return best;
}

std::string throughput_cell(double v) { return v > 0 ? format_value(v) : "-"; }

std::string ratio_cell(double self, double peer) {
  if (self <= 0 || peer <= 0) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.2fx", self / peer);
  return buffer;
}

std::string side_by_side(const ExperimentResult& r) {
  const std::vector<std::string> systems = systems_of(r);
  std::string out = "### " + r.experiment + ": systems side by side (best pairs/s)\n\n| " +
                    (r.x_key.empty() ? "Run" : param_display_name(r.x_key)) + " | rerankd |";
  std::string rule = "|---|---|";
  for (std::size_t s = 1; s < systems.size(); ++s) {
    out += " " + systems[s] + " | rerankd / " + systems[s] + " |";
    rule += "---|---|";
  }
  out += "\n" + rule + "\n";
  for (const std::string& x : x_values(r)) {
    const double self = best_at(r, kSelf, x);
    out += "| " + x + " | " + throughput_cell(self) + " |";
    for (std::size_t s = 1; s < systems.size(); ++s) {
      const double peer = best_at(r, systems[s], x);
      out += ' ';
      out += throughput_cell(peer) + " | " + ratio_cell(self, peer) + " |";
    }
    out += "\n";
  }
  return out + "\n";
}

}  // namespace

std::string render_summary(const std::vector<ExperimentResult>& results,
                           const std::vector<std::string>& report_files) {
  std::string out =
      "# Benchmark summary\n\nEvery number below comes from the results files of this run. The "
      "sweet spot is the highest throughput whose p50 meets the experiment's latency target "
      "(ties go to the lower p50; points with errors are left out).\n\n";
  out +=
      "| Experiment | Best throughput (p/s) | at | Target p50 (ms) | Sweet spot | "
      "Throughput (p/s) | Latency (ms) | Not built / failed |\n"
      "|---|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    out += experiment_row(results[i], link(results[i], report_files, i));
  }
  out += "\n## Recommendations\n\n";
  for (const ExperimentResult& r : results) {
    std::string why;
    const auto sweet = sweet_spot(r.points, r.latency_target_p50_ms, &why);
    out += "- **" + r.experiment + "**: " +
           (sweet ? point_name(r.points[sweet->point]) + " — " + sweet->reason : "none — " + why) +
           "\n";
  }
  out += "\n";
  for (const ExperimentResult& r : results) {
    if (systems_of(r).size() > 1) out += side_by_side(r);
  }
  return out;
}

}  // namespace rerankd::bench
