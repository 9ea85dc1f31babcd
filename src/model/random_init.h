// The deterministic number source of the random-model writer: xoshiro256** seeded through
// splitmix64 (Blackman and Vigna, https://prng.di.unimi.it/), with uniform floats made from
// integers and one correctly rounded multiply, so every machine writes the same bytes.
#pragma once

#include <cstdint>
#include <span>

namespace rerankd::model {

class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed);

  std::uint64_t next_u64();

  // Fills `out` with center + uniform(-a, a), a = stddev * sqrt(3), so the values have that
  // standard deviation. The uniform part takes 2^24 evenly spaced odd steps: no libm call, no
  // double rounding, the same float on every IEEE-754 machine.
  void fill_uniform(std::span<float> out, float center, double stddev);

 private:
  std::uint64_t state_[4];
};

}  // namespace rerankd::model
