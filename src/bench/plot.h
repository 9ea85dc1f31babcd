// PNG line plots for the reports, drawn by rerankd itself (no plotting dependency): axes with
// ticks and numeric labels, one polyline with markers per series, a legend, a title; a 5x7
// bitmap font for the text. Log2 x axes for batch-size sweeps.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/results.h"
#include "common/result.h"

namespace rerankd::bench {

struct Series {
  std::string name;       // legend entry
  std::vector<double> x;  // ascending
  std::vector<double> y;  // same length as x
};

struct PlotSpec {
  std::string title;
  std::string x_label;
  std::string y_label;
  bool log2_x = false;
  int width = 800;
  int height = 500;
  std::vector<Series> series;
};

// RGB image, row-major, 3 bytes a pixel.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;
};

Image draw_plot(const PlotSpec& spec);
// A valid PNG (8-bit RGB, zlib stream of stored or deflated blocks with correct CRC-32 and
// Adler-32) of `image`.
std::vector<std::uint8_t> encode_png(const Image& image);
Status write_png(const Image& image, const std::filesystem::path& path);

// The two plots of an experiment: throughput (pairs/s) and p50 latency (ms) against
// result.x_key, one series per system + other swept params (e.g. "rerankd clients=4").
// Points not ok are left out. Empty when x_key is empty or not numeric.
std::vector<PlotSpec> experiment_plots(const ExperimentResult& result);

}  // namespace rerankd::bench
