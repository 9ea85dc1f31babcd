#include "bench/plot.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "bench/bitmap_font.h"
#include "bench/report_markdown.h"

namespace rerankd::bench {
namespace {

using font::Rgb;

constexpr Rgb kWhite{255, 255, 255}, kBlack{0, 0, 0}, kGrid{225, 225, 225}, kFrame{150, 150, 150};
// Distinct on white and for the common colour-vision deficiencies (the "tab10" hues).
constexpr Rgb kPalette[] = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                            {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127}};
constexpr int kLeft = 80, kRight = 24, kTop = 44, kBottom = 56;  // margins around the plot area

void put(Image& image, int x, int y, Rgb c) {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  std::uint8_t* p = image.rgb.data() + (static_cast<std::size_t>(y) * image.width + x) * 3;
  p[0] = c.r;
  p[1] = c.g;
  p[2] = c.b;
}

void fill_rect(Image& image, int x0, int y0, int x1, int y1, Rgb c) {  // inclusive corners
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) put(image, x, y, c);
  }
}

// Bresenham, two pixels wide so the line survives being scaled down in a browser.
void line(Image& image, int x0, int y0, int x1, int y1, Rgb c, int width = 1) {
  const int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
  const int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  int err = dx + dy;
  while (true) {
    fill_rect(image, x0, y0, x0 + width - 1, y0 + width - 1, c);
    if (x0 == x1 && y0 == y1) break;
    const int e2 = 2 * err;
    if (e2 >= dy) err += dy, x0 += sx;
    if (e2 <= dx) err += dx, y0 += sy;
  }
}

struct Axis {
  double lo = 0, hi = 1;
  bool log2 = false;
  std::vector<double> ticks;
  int decimals = 0;

  double fraction(double v) const {
    return log2 ? (std::log2(v) - std::log2(lo)) / (std::log2(hi) - std::log2(lo))
                : (v - lo) / (hi - lo);
  }
  std::string label(double v) const {
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, v);
    return buffer;
  }
};

// About `target` ticks at 1, 2 or 5 times a power of ten, the axis widened to whole steps.
Axis linear_axis(double lo, double hi, int target = 5) {
  if (hi <= lo) hi = lo + (lo == 0 ? 1 : std::abs(lo));
  const double raw = (hi - lo) / target;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  const double f = raw / magnitude;
  const double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
  Axis axis;
  axis.lo = std::floor(lo / step) * step;
  axis.hi = std::ceil(hi / step) * step;
  for (double t = axis.lo; t <= axis.hi + step * 1e-6; t += step) axis.ticks.push_back(t);
  axis.decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  return axis;
}

// Powers of two spanning [lo, hi] (lo > 0), every other one when there would be too many.
Axis log2_axis(double lo, double hi) {
  Axis axis;
  axis.log2 = true;
  int first = static_cast<int>(std::floor(std::log2(lo))),
      last = static_cast<int>(std::ceil(std::log2(hi)));
  if (last == first) ++last;
  axis.lo = std::exp2(first);
  axis.hi = std::exp2(last);
  const int every = last - first > 10 ? 2 : 1;
  for (int e = first; e <= last; e += every) axis.ticks.push_back(std::exp2(e));
  axis.decimals = first < 0 ? -first : 0;
  return axis;
}

// NaN or infinite values, and x <= 0 on a log axis, have no place on the plot: skipped.
bool drawable(double x, double y, bool log) {
  return std::isfinite(x) && std::isfinite(y) && (!log || x > 0);
}

struct Frame {
  int x0, y0, x1, y1;  // plot area, inclusive
  Axis x, y;
  int px(double v) const { return x0 + static_cast<int>(std::lround(x.fraction(v) * (x1 - x0))); }
  int py(double v) const { return y1 - static_cast<int>(std::lround(y.fraction(v) * (y1 - y0))); }
};

Frame make_frame(const PlotSpec& spec) {
  double xmin = HUGE_VAL, xmax = -HUGE_VAL, ymin = 0, ymax = -HUGE_VAL;  // y from zero
  for (const Series& s : spec.series) {
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!drawable(s.x[i], s.y[i], spec.log2_x)) continue;
      xmin = std::min(xmin, s.x[i]), xmax = std::max(xmax, s.x[i]);
      ymin = std::min(ymin, s.y[i]), ymax = std::max(ymax, s.y[i]);
    }
  }
  if (xmin > xmax) xmin = spec.log2_x ? 1 : 0, xmax = spec.log2_x ? 2 : 1, ymax = 1;
  const bool log = spec.log2_x && xmin > 0;
  return {kLeft,
          kTop,
          spec.width - kRight,
          spec.height - kBottom,
          log ? log2_axis(xmin, xmax) : linear_axis(xmin, xmax),
          linear_axis(ymin, ymax)};
}

void draw_axes(Image& image, const Frame& f, const PlotSpec& spec) {
  const int h = font::text_height(1);
  for (const double t : f.x.ticks) {
    const int x = f.px(t);
    line(image, x, f.y0, x, f.y1, kGrid);
    line(image, x, f.y1, x, f.y1 + 4, kBlack);
    const std::string text = f.x.label(t);
    font::draw_text(image, x - font::text_width(text, 1) / 2, f.y1 + 8, text, kBlack);
  }
  for (const double t : f.y.ticks) {
    const int y = f.py(t);
    line(image, f.x0, y, f.x1, y, kGrid);
    line(image, f.x0 - 4, y, f.x0, y, kBlack);
    const std::string text = f.y.label(t);
    font::draw_text(image, f.x0 - 8 - font::text_width(text, 1), y - h / 2, text, kBlack);
  }
  line(image, f.x0, f.y0, f.x0, f.y1, kBlack);
  line(image, f.x0, f.y1, f.x1, f.y1, kBlack);
  font::draw_text(image, (f.x0 + f.x1 - font::text_width(spec.x_label, 1)) / 2, f.y1 + 28,
                  spec.x_label, kBlack);
  font::draw_text_up(image, 14, (f.y0 + f.y1 + font::text_width(spec.y_label, 1)) / 2, spec.y_label,
                     kBlack);
  font::draw_text(image, (spec.width - font::text_width(spec.title, 2)) / 2, 12, spec.title, kBlack,
                  2);
}

void draw_series(Image& image, const Frame& f, const Series& s, Rgb color, bool log) {
  int last_x = 0, last_y = 0;
  bool have_last = false;
  for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
    if (!drawable(s.x[i], s.y[i], log)) continue;
    const int x = f.px(s.x[i]), y = f.py(s.y[i]);
    if (have_last) line(image, last_x, last_y, x, y, color, 2);
    fill_rect(image, x - 3, y - 3, x + 3, y + 3, color);
    last_x = x, last_y = y, have_last = true;
  }
}

// Top left of the plot area: the curves of a sweep rise towards the right.
void draw_legend(Image& image, const Frame& f, const std::vector<Series>& series) {
  if (series.empty()) return;
  int width = 0;
  for (const Series& s : series) width = std::max(width, font::text_width(s.name, 1));
  const int row = 14, x = f.x0 + 10, y = f.y0 + 8;
  const int x_end = x + width + 34, y_end = y + row * static_cast<int>(series.size()) + 6;
  fill_rect(image, x, y, x_end, y_end, kWhite);
  line(image, x, y, x_end, y, kFrame), line(image, x, y_end, x_end, y_end, kFrame);
  line(image, x, y, x, y_end, kFrame), line(image, x_end, y, x_end, y_end, kFrame);
  for (std::size_t i = 0; i < series.size(); ++i) {
    const int top = y + 6 + row * static_cast<int>(i);
    const Rgb color = kPalette[i % std::size(kPalette)];
    fill_rect(image, x + 6, top, x + 20, top + 6, color);
    font::draw_text(image, x + 28, top, series[i].name, kBlack);
  }
}

}  // namespace

Image draw_plot(const PlotSpec& spec) {
  Image image{
      std::max(spec.width, kLeft + kRight + 10), std::max(spec.height, kTop + kBottom + 10), {}};
  image.rgb.assign(static_cast<std::size_t>(image.width) * image.height * 3, 255);
  PlotSpec sized = spec;
  sized.width = image.width, sized.height = image.height;
  const Frame frame = make_frame(sized);
  draw_axes(image, frame, sized);
  for (std::size_t i = 0; i < spec.series.size(); ++i) {
    draw_series(image, frame, spec.series[i], kPalette[i % std::size(kPalette)], frame.x.log2);
  }
  draw_legend(image, frame, spec.series);
  return image;
}

namespace {

std::optional<double> number(std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// "rerankd Clients=4": the system plus the swept params other than the x axis.
std::string series_name(const ResultPoint& p, const std::string& x_key) {
  std::string name = p.system;
  for (const auto& [k, v] : p.params) {
    if (k != x_key) name += ' ' + param_display_name(k) + '=' + v;
  }
  return name;
}

}  // namespace

std::vector<PlotSpec> experiment_plots(const ExperimentResult& result) {
  if (result.x_key.empty()) return {};
  std::vector<std::string> names;
  std::vector<std::vector<std::pair<double, const ResultPoint*>>> groups;
  for (const ResultPoint& p : result.points) {
    if (p.status != PointStatus::kOk) continue;
    const auto it = std::find_if(p.params.begin(), p.params.end(),
                                 [&](const auto& kv) { return kv.first == result.x_key; });
    const std::optional<double> x = it == p.params.end() ? std::nullopt : number(it->second);
    if (!x) return {};
    const std::string name = series_name(p, result.x_key);
    const auto g =
        static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
    if (g == names.size()) names.push_back(name), groups.emplace_back();
    groups[g].emplace_back(*x, &p);
  }
  if (groups.empty()) return {};
  PlotSpec throughput{result.experiment + ": throughput",
                      param_display_name(result.x_key),
                      "pairs/s",
                      false,
                      800,
                      500,
                      {}};
  PlotSpec latency{result.experiment + ": p50 latency",
                   param_display_name(result.x_key),
                   "p50 latency (ms)",
                   false,
                   800,
                   500,
                   {}};
  double lo = HUGE_VAL, hi = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    auto& points = groups[g];
    std::stable_sort(points.begin(), points.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    Series t{names[g], {}, {}}, l{names[g], {}, {}};
    for (const auto& [x, p] : points) {
      t.x.push_back(x), t.y.push_back(p->pairs_per_s);
      l.x.push_back(x), l.y.push_back(p->latency_ms.p50);
      lo = std::min(lo, x), hi = std::max(hi, x);
    }
    throughput.series.push_back(std::move(t));
    latency.series.push_back(std::move(l));
  }
  // Batch sizes double from one point to the next; a wide positive range reads better in log2.
  const bool log = lo > 0 && (result.x_key.find("batch_size") != std::string::npos ? hi / lo >= 4
                                                                                   : hi / lo >= 16);
  throughput.log2_x = latency.log2_x = log;
  return {throughput, latency};
}

}  // namespace rerankd::bench
