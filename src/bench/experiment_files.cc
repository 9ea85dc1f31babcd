// runner.h's file writers: results.json, results.csv, report.md and the plots of one experiment,
// and summary.md across experiments, each written whole (write_file_atomically).
#include "bench/plot.h"
#include "bench/report_markdown.h"
#include "bench/results_io.h"
#include "bench/runner.h"
#include "bench/summary.h"
#include "common/file.h"

namespace rerankd::bench {
namespace {

// experiment_plots gives throughput first, then latency (plot.h).
std::string plot_file_name(std::size_t index) {
  constexpr const char* kNames[] = {"throughput.png", "latency.png"};
  return index < std::size(kNames) ? kNames[index] : "plot" + std::to_string(index) + ".png";
}

}  // namespace

Result<std::string> write_experiment_files(const ExperimentResult& result,
                                           const std::filesystem::path& out_dir) {
  const auto dir = out_dir / result.experiment;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return internal_error(dir.string() + ": " + ec.message());
  RERANKD_RETURN_IF_ERROR(write_file_atomically(dir / "results.json", to_json(result)));
  RERANKD_RETURN_IF_ERROR(write_file_atomically(dir / "results.csv", to_csv(result)));
  std::vector<std::string> plot_files;
  const auto plots = experiment_plots(result);
  for (std::size_t i = 0; i < plots.size(); ++i) {
    plot_files.push_back(plot_file_name(i));
    RERANKD_RETURN_IF_ERROR(write_png(draw_plot(plots[i]), dir / plot_files.back()));
  }
  RERANKD_RETURN_IF_ERROR(
      write_file_atomically(dir / "report.md", render_report(result, plot_files)));
  return result.experiment + "/report.md";
}

Status write_summary(const std::vector<ExperimentResult>& results,
                     const std::vector<std::string>& report_files,
                     const std::filesystem::path& out_dir) {
  return write_file_atomically(out_dir / "summary.md", render_summary(results, report_files));
}

}  // namespace rerankd::bench
