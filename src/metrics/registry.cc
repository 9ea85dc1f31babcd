#include <cassert>
#include <string>

#include "metrics/metrics.h"
#include "metrics/text_format.h"

namespace rerankd::metrics {
namespace {

enum MetricType : int { kCounter = 0, kGauge = 1, kHistogram = 2 };

const char* type_name(int type) {
  switch (type) {
    case kCounter:
      return "counter";
    case kGauge:
      return "gauge";
    default:
      return "histogram";
  }
}

// "name{labels}" or "name" when there are no labels.
std::string series(const std::string& name, const std::string& labels) {
  return labels.empty() ? name : name + "{" + labels + "}";
}

}  // namespace

// One # HELP / # TYPE block; only the map of its own type is used.
struct Registry::Family {
  std::string help;
  int type = kCounter;
  std::map<std::string, std::unique_ptr<Counter>> counters;
  std::map<std::string, std::unique_ptr<Gauge>> gauges;
  std::map<std::string, std::unique_ptr<Histogram>> histograms;
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Family& Registry::family(const std::string& name, const std::string& help, int type) {
  auto& slot = families_[name];
  if (!slot) {
    slot = std::make_unique<Family>();
    slot->help = help;
    slot->type = type;
  }
  if (slot->type == type) return *slot;
  assert(false && "metric registered twice with different types");
  orphans_.push_back(std::make_unique<Family>());
  orphans_.back()->type = type;
  return *orphans_.back();
}

Counter& Registry::counter(const std::string& name, const std::string& help,
                           const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& metric = family(name, help, kCounter).counters[labels];
  if (!metric) metric = std::make_unique<Counter>();
  return *metric;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help,
                       const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& metric = family(name, help, kGauge).gauges[labels];
  if (!metric) metric = std::make_unique<Gauge>();
  return *metric;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               std::vector<double> upper_bounds, const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& metric = family(name, help, kHistogram).histograms[labels];
  if (!metric) metric = std::make_unique<Histogram>(std::move(upper_bounds));
  return *metric;
}

const Histogram* Registry::find_histogram(const std::string& name,
                                          const std::string& labels) const {
  std::lock_guard lock(mutex_);
  const auto family = families_.find(name);
  if (family == families_.end()) return nullptr;
  const auto found = family->second->histograms.find(labels);
  return found == family->second->histograms.end() ? nullptr : found->second.get();
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + escape_help(family->help) + "\n";
    out += "# TYPE " + name + " " + type_name(family->type) + "\n";
    for (const auto& [labels, counter] : family->counters) {
      out += series(name, labels) + " " + std::to_string(counter->value()) + "\n";
    }
    for (const auto& [labels, gauge] : family->gauges) {
      out += series(name, labels) + " " + std::to_string(gauge->value()) + "\n";
    }
    for (const auto& [labels, histogram] : family->histograms) {
      const std::string prefix = labels.empty() ? "" : labels + ",";
      const auto counts = histogram->cumulative_counts();
      const auto& bounds = histogram->upper_bounds();
      for (std::size_t i = 0; i < counts.size(); ++i) {
        const std::string le = i < bounds.size() ? format_double(bounds[i]) : "+Inf";
        out +=
            name + "_bucket{" + prefix + "le=\"" + le + "\"} " + std::to_string(counts[i]) + "\n";
      }
      // _count is the +Inf bucket, so the two agree even while observers are running.
      out += series(name + "_sum", labels) + " " + format_double(histogram->sum()) + "\n";
      out += series(name + "_count", labels) + " " + std::to_string(counts.back()) + "\n";
    }
  }
  return out;
}

std::string labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out += ",";
    out += std::string(key) + "=\"" + escape_label_value(value) + "\"";
  }
  return out;
}

}  // namespace rerankd::metrics
