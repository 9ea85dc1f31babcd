// A one-line progress bar on standard error for interactive runs; does nothing when disabled
// (CI, a pipe), so logs stay clean.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace rerankd::bench {

class ProgressBar {
 public:
  ProgressBar(bool enabled, std::string name, std::size_t points)
      : enabled_(enabled), name_(std::move(name)), points_(points) {}

  // `point` of `points` is `fraction` done. Thread-safe; redraws at most 10 times a second.
  void update(std::size_t point, double fraction);
  // Erases the bar so a log line can be printed in its place.
  void clear();

 private:
  bool enabled_;
  std::string name_;
  std::size_t points_;
  std::mutex mutex_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

// True when standard error is a terminal and the CI variable is unset.
bool progress_bar_wanted();

}  // namespace rerankd::bench
