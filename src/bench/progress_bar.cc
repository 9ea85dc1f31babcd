#include "bench/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace rerankd::bench {

void ProgressBar::update(std::size_t point, double fraction) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double overall =
      (static_cast<double>(point) + std::clamp(fraction, 0.0, 1.0)) / static_cast<double>(points_);
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(overall * kWidth);
  std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%  point %zu/%zu ", name_.c_str(), filled,
               "##############################", kWidth - filled, "",
               static_cast<int>(overall * 100), point + 1, points_);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::clear() {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

bool progress_bar_wanted() { return isatty(STDERR_FILENO) == 1 && std::getenv("CI") == nullptr; }

}  // namespace rerankd::bench
