#include "model/random_init.h"

namespace rerankd::model {
namespace {

constexpr double kSqrt3 = 1.7320508075688772935;
constexpr std::int64_t kSteps = std::int64_t{1} << 24;

std::uint64_t splitmix64(std::uint64_t& x) {
  x += 0x9E3779B97F4A7C15ull;
  std::uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

RandomStream::RandomStream(std::uint64_t seed) {
  for (auto& word : state_) word = splitmix64(seed);
}

std::uint64_t RandomStream::next_u64() {
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

void RandomStream::fill_uniform(std::span<float> out, float center, double stddev) {
  // value = k * step with k odd in [-(2^24 - 1), 2^24 - 1]: k is exact as a float, and one
  // IEEE multiply (and one add for the center) rounds the same everywhere.
  const auto step = static_cast<float>(stddev * kSqrt3 / static_cast<double>(kSteps));
  for (float& value : out) {
    const auto u = static_cast<std::int64_t>(next_u64() >> 40);  // 24 random bits
    const auto k = static_cast<float>(2 * u - (kSteps - 1));
    value = center + k * step;
  }
}

}  // namespace rerankd::model
