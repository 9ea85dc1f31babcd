// Prometheus metrics: counters, gauges and histograms registered once at start, updated
// lock-free from any thread, rendered as Prometheus text for GET /metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rerankd::metrics {

// Thread-safe, lock-free.
class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Thread-safe, lock-free.
class Gauge {
 public:
  void set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// Histogram with fixed upper bounds (sorted ascending; NaN and duplicates are removed at
// construction). Thread-safe, lock-free: each observation is one bucket increment, one count
// increment and one CAS-loop add to the sum. A reader running concurrently with observers may
// see a count and buckets that differ by the observations in progress.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value);

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Count of observations <= upper_bounds()[i] (cumulative), then the +Inf bucket.
  std::vector<std::uint64_t> cumulative_counts() const;
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bound (not cumulative), +Inf
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0.0};  // C++20 atomic<double>::fetch_add: lock-free CAS loop
};

// Bucket bounds: start, start*factor, ... (count values).
std::vector<double> exponential_buckets(double start, double factor, int count);

// Label text for Registry calls from key/value pairs, values escaped as the text format
// requires (backslash, double quote, newline): labels({{"reason", "deadline"}}) gives
// `reason="deadline"`.
std::string labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);

// Owns every metric. Registration is thread-safe (it takes mutex_) and returns a reference
// that lives as long as the registry; the same (name, labels) returns the same metric. Several
// label sets of one name form one family (one # HELP / # TYPE block); the first registration
// of a name sets its help text and type. Registering a name again with another type is a
// programming error: it returns a working metric that is never rendered (and asserts in debug
// builds) rather than crashing a server.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // `labels` is Prometheus label text without braces, e.g. R"(error_type="queue_full")".
  Counter& counter(const std::string& name, const std::string& help,
                   const std::string& labels = "");
  Gauge& gauge(const std::string& name, const std::string& help, const std::string& labels = "");
  // The bounds of the first registration of (name, labels) win.
  Histogram& histogram(const std::string& name, const std::string& help,
                       std::vector<double> upper_bounds, const std::string& labels = "");

  // The histogram registered as (name, labels), or null when there is none: for readers that
  // did not register it themselves (the bench harness reads rerankd_batch_size_pairs). Takes
  // mutex_.
  const Histogram* find_histogram(const std::string& name, const std::string& labels = "") const;

  // Prometheus text exposition format 0.0.4: families sorted by name, label sets sorted by
  // their text. Takes mutex_ (registration), reads values lock-free.
  std::string render() const;

 private:
  struct Family;
  Family& family(const std::string& name, const std::string& help, int type);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Family>> families_;
  std::vector<std::unique_ptr<Family>> orphans_;  // type clashes: alive, never rendered
};

}  // namespace rerankd::metrics
