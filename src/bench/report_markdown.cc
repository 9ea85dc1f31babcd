#include "bench/report_markdown.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>

#include "bench/recommend.h"

namespace rerankd::bench {
namespace {

// A pipe or a line break would end the cell early.
std::string cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> params_keys(const std::vector<ResultPoint>& points) {
  std::vector<std::string> keys;
  std::set<std::string> seen;
  for (const ResultPoint& p : points) {
    for (const auto& kv : p.params) {
      if (seen.insert(kv.first).second) keys.push_back(kv.first);
    }
  }
  return keys;
}

std::string param_value(const ResultPoint& p, const std::string& key) {
  for (const auto& kv : p.params) {
    if (kv.first == key) return kv.second;
  }
  return "-";
}

bool several_systems(const std::vector<ResultPoint>& points) {
  for (const ResultPoint& p : points) {
    if (p.system != points.front().system) return true;
  }
  return false;
}

std::string status_text(PointStatus status) {
  return status == PointStatus::kNotBuilt ? "not built" : "failed";
}

// "goodput 42% of 1234 p/s computed" when part of the backend's work went to requests that
// were not answered (a deadline passed, a client left); nothing when 95% or more was answered
// or the target cannot tell.
std::string answered_share_note(const ResultPoint& p) {
  if (p.computed_pairs_per_s <= 0) return "";
  const double share = p.pairs_per_s / p.computed_pairs_per_s;
  if (share >= 0.95) return "";  // a window edge alone moves it a few percent
  char text[96];
  std::snprintf(text, sizeof text, "goodput %.0f%% of %s p/s computed", share * 100,
                format_value(p.computed_pairs_per_s).c_str());
  return text;
}

std::string join_notes(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  return b.empty() ? a : a + "; " + b;
}

std::string errors_note(const ResultPoint& p) {
  std::string out;
  for (const auto& [type, count] : p.errors_by_type) {
    out += (out.empty() ? "" : ", ") + type + ": " + std::to_string(count);
  }
  return out;
}

// "median of 3 runs (412.0-468.0 p/s)" when the point repeated its load run.
std::string repeats_note(const ResultPoint& p) {
  if (p.repeat_pairs_per_s.empty()) return "";
  const auto [low, high] =
      std::minmax_element(p.repeat_pairs_per_s.begin(), p.repeat_pairs_per_s.end());
  return "median of " + std::to_string(p.repeat_pairs_per_s.size()) + " runs (" +
         format_value(*low) + "-" + format_value(*high) + " p/s)";
}

std::string header(const ExperimentResult& r) {
  const MachineInfo& m = r.machine;
  std::string out = "# " + r.experiment + "\n\n";
  if (!r.description.empty()) out += r.description + "\n\n";
  out += "- **Machine**: " + (m.cpu_model.empty() ? "unknown CPU" : m.cpu_model) + " (" +
         std::to_string(m.cpu_cores) + " logical CPUs" +
         (m.cpu_flags.empty() ? "" : "; " + m.cpu_flags) +
         "), GPU: " + (m.gpu.empty() ? "none" : m.gpu) + "\n";
  out += "- **Build**: " + (m.build_type.empty() ? "unknown" : m.build_type) + ", commit " +
         (m.git_commit.empty() ? "unknown" : m.git_commit) + ", rerankd " +
         (m.rerankd_version.empty() ? "unknown" : m.rerankd_version) +
         (m.os.empty() ? "" : ", " + m.os) + "\n";
  if (!r.started_at.empty()) out += "- **Started**: " + r.started_at + "\n";
  out += "- **Latency target**: " +
         (r.latency_target_p50_ms > 0 ? "p50 <= " + format_value(r.latency_target_p50_ms) + " ms"
                                      : std::string("none")) +
         "\n\n";
  return out;
}

struct Layout {
  std::vector<std::string> keys;
  bool show_system = false;
};

std::string table_header(const Layout& layout) {
  std::string names = "|", rule = "|";
  std::vector<std::string> columns;
  for (const std::string& k : layout.keys) columns.push_back(param_display_name(k));
  if (layout.show_system) columns.push_back("System");
  for (const char* c : {"Throughput (p/s)", "Latency (ms)", "p95 (ms)", "p99 (ms)", "Errors",
                        "Mean batch", "Notes"}) {
    columns.push_back(c);
  }
  for (const std::string& c : columns) {
    names += " " + c + " |";
    rule += std::string(c.size() + 2, '-') + "|";
  }
  return names + "\n" + rule + "\n";
}

// The cells after the params (and System): numbers for a measured point, the status otherwise.
std::vector<std::string> value_cells(const ResultPoint& p) {
  if (p.status != PointStatus::kOk) return {status_text(p.status), "-", "-", "-", "-", "-"};
  return {format_value(p.pairs_per_s),
          format_value(p.latency_ms.p50),
          format_value(p.latency_ms.p95),
          format_value(p.latency_ms.p99),
          std::to_string(p.errors),
          p.mean_batch_size > 0 ? format_value(p.mean_batch_size) : "-"};
}

std::string table_row(const ResultPoint& p, const Layout& layout, bool sweet) {
  std::vector<std::string> cells;
  for (const std::string& k : layout.keys) cells.push_back(param_value(p, k));
  if (layout.show_system)
    cells.push_back(p.label.empty() ? p.system : p.system + " (" + p.label + ")");
  for (std::string& c : value_cells(p)) cells.push_back(std::move(c));
  std::string out = "|";
  for (const std::string& c : cells) {
    const std::string text = cell(c);
    out += sweet && c != "-" ? " **" + text + "** |" : " " + text + " |";
  }
  std::string note = p.status != PointStatus::kOk ? p.note : errors_note(p);
  if (p.status == PointStatus::kOk) note = join_notes(answered_share_note(p), note);
  if (p.status == PointStatus::kOk && !p.repeat_pairs_per_s.empty()) {
    note = repeats_note(p) + (note.empty() ? "" : "; " + note);
  }
  if (sweet) note = "⭐ Sweet spot" + (note.empty() ? "" : "; " + note);
  return out + " " + cell(note) + " |\n";
}

}  // namespace

std::string param_display_name(std::string_view key) {
  static const std::pair<std::string_view, std::string_view> kNames[] = {
      {"batching.max_batch_size", "Batch"},
      {"server.max_concurrency", "Conc"},
      {"load.clients", "Clients"},
      {"batching.timeout_ms", "Timeout (ms)"},
      {"workload.documents", "Docs/request"},
      {"model.backend", "Backend"},
      {"model.dtype", "Dtype"},
  };
  for (const auto& [k, name] : kNames) {
    if (k == key) return std::string(name);
  }
  return std::string(key);
}

std::string format_value(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), value < 10 && value > -10 ? "%.2f" : "%.1f", value);
  return buffer;
}

std::string format_params(const ResultPoint& point) {
  std::string out;
  for (const auto& [k, v] : point.params) {
    out += (out.empty() ? "" : ", ") + param_display_name(k) + "=" + v;
  }
  return out.empty() ? "-" : out;
}

std::string render_report(const ExperimentResult& result,
                          const std::vector<std::string>& plot_files) {
  std::string out = header(result);
  std::string none_reason;
  const std::optional<Recommendation> sweet =
      sweet_spot(result.points, result.latency_target_p50_ms, &none_reason);
  if (result.points.empty()) return out + "No points were recorded.\n";
  const Layout layout{params_keys(result.points), several_systems(result.points)};
  out += table_header(layout);
  for (std::size_t i = 0; i < result.points.size(); ++i) {
    out += table_row(result.points[i], layout, sweet && sweet->point == i);
  }
  out +=
      "\nLatency is the p50 per request; Mean batch is the achieved pairs per backend batch.\n\n";
  if (sweet) {
    const ResultPoint& p = result.points[sweet->point];
    out += "**Sweet spot**: " + (layout.show_system ? p.system + " " : std::string()) +
           format_params(p) + " — " + sweet->reason + ".\n";
  } else {
    out += "**No sweet spot**: " + none_reason + ".\n";
  }
  if (!plot_files.empty()) out += "\n";
  for (const std::string& file : plot_files) out += "![" + file + "](" + file + ")\n";
  return out;
}

}  // namespace rerankd::bench
