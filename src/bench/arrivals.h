// The open loop's arrival schedule: a Poisson process, i.e. exponential gaps between arrivals,
// drawn by inversion from a seeded mt19937_64. The draw is our own rather than
// std::exponential_distribution (whose algorithm the standard leaves open), so a seed gives
// the same schedule with any standard library. Pure: no clock, no threads.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace rerankd::bench {

class PoissonArrivals {
 public:
  // `rate_rps` > 0: mean arrivals per second.
  PoissonArrivals(double rate_rps, std::uint64_t seed) : rate_(rate_rps), engine_(seed) {}

  // The next arrival, seconds since the start; never earlier than the previous one.
  double next() {
    const double u = static_cast<double>(engine_() >> 11) * 0x1.0p-53;  // [0, 1)
    now_ += -std::log1p(-u) / rate_;  // inverse CDF of Exp(rate); 1 - u is in (0, 1]
    return now_;
  }

 private:
  double rate_;
  std::mt19937_64 engine_;
  double now_ = 0;
};

// Every arrival in [0, duration_s), ascending.
inline std::vector<double> poisson_arrivals(double rate_rps, double duration_s,
                                            std::uint64_t seed) {
  std::vector<double> times;
  if (rate_rps <= 0 || duration_s <= 0) return times;
  PoissonArrivals arrivals(rate_rps, seed);
  for (double t = arrivals.next(); t < duration_s; t = arrivals.next()) times.push_back(t);
  return times;
}

}  // namespace rerankd::bench
