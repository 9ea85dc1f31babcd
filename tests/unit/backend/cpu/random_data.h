// Seeded random inputs for the cpu kernels' tests against the reference ops.
#pragma once

#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

namespace rerankd::backend::cpu::testing {

inline std::vector<float> random_values(std::size_t count, float scale, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-scale, scale);
  std::vector<float> values(count);
  for (float& value : values) value = uniform(generator);
  return values;
}

// Largest |a[i] - b[i]| (infinity when sizes differ or a value is NaN).
inline double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return 1e30;
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double diff = std::abs(double{a[i]} - double{b[i]});
    if (!(diff <= worst)) worst = diff;
  }
  return worst;
}

}  // namespace rerankd::backend::cpu::testing
