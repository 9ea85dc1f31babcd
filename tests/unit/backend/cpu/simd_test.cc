#include "backend/cpu/simd.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace rerankd::backend::cpu {
namespace {

// The worst errors of simd.h's lane-wise functions over a sweep of inputs, at one width.
struct Errors {
  double reciprocal = 0;  // relative
  double exp = 0;         // relative, on [-87, 0]
  double erf = 0;         // absolute
  double tanh = 0;        // absolute
  double reductions = 0;  // absolute, max / min / sum of lanes against a scalar loop
};

template <int W>
[[gnu::always_inline]] inline Errors measure() {
  using V = simd::Vec<W>;
  Errors e;
  float lanes[W];
  for (int step = 0; step < 4000; ++step) {
    for (int i = 0; i < W; ++i)
      lanes[i] = -8.0f + 16.0f * static_cast<float>(step * W + i) / (4000.0f * W);
    const V x = simd::load<W>(lanes);
    const V positive = simd::abs<W>(x) + 1e-3f;
    const V non_positive = -simd::abs<W>(x) * 10.8f;  // [-86.4, 0]: e^x clamps below -87
    const V r = simd::reciprocal<W>(positive);
    const V ex = simd::exp_non_positive<W>(non_positive);
    const V er = simd::erf<W>(x);
    const V th = simd::tanh<W>(x);
    for (int i = 0; i < W; ++i) {
      e.reciprocal = std::max(e.reciprocal, std::abs(r[i] * double{positive[i]} - 1.0));
      const double exact = std::exp(double{non_positive[i]});
      e.exp = std::max(e.exp, std::abs(ex[i] - exact) / exact);
      e.erf = std::max(e.erf, std::abs(er[i] - std::erf(double{x[i]})));
      e.tanh = std::max(e.tanh, std::abs(th[i] - std::tanh(double{x[i]})));
    }
    double sum = 0, high = lanes[0], low = lanes[0];
    for (int i = 0; i < W; ++i) {
      sum += lanes[i];
      high = std::max(high, double{lanes[i]});
      low = std::min(low, double{lanes[i]});
    }
    e.reductions =
        std::max({e.reductions, std::abs(simd::reduce_sum<W>(x) - sum),
                  std::abs(simd::reduce_max<W>(x) - high), std::abs(simd::reduce_min<W>(x) - low)});
  }
  return e;
}

Errors measure_baseline() { return measure<4>(); }
__attribute__((target("arch=x86-64-v3"))) Errors measure_v3() { return measure<8>(); }
__attribute__((target("arch=x86-64-v4"))) Errors measure_v4() { return measure<16>(); }

void expect_accurate(const Errors& e, const char* width) {
  EXPECT_LE(e.reciprocal, 1e-6) << width;  // one Newton step from a 12-bit estimate
  EXPECT_LE(e.exp, 5e-7) << width;
  EXPECT_LE(e.erf, 1e-6) << width;  // Abramowitz & Stegun: 1.5e-7, plus float rounding
  EXPECT_LE(e.tanh, 1e-6) << width;
  EXPECT_LE(e.reductions, 1e-5) << width;  // sums of 16 values of up to 8 in another order
}

// Every width this CPU runs, against double-precision libm.
TEST(Simd, LaneFunctionsMatchLibm) {
  expect_accurate(measure_baseline(), "4 lanes");
  if (simd::isa_level() != simd::IsaLevel::kBaseline) expect_accurate(measure_v3(), "8 lanes");
  if (simd::isa_level() == simd::IsaLevel::kX86_64_V4) expect_accurate(measure_v4(), "16 lanes");
}

TEST(Simd, LanesBelowAndSelect) {
  const simd::Vec<4> a = simd::splat<4>(1.0f);
  const simd::Vec<4> b = simd::splat<4>(2.0f);
  for (int count = 0; count <= 4; ++count) {
    const simd::Vec<4> chosen = simd::select<4>(simd::lanes_below<4>(count), a, b);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(chosen[i], i < count ? 1.0f : 2.0f) << count;
  }
}

}  // namespace
}  // namespace rerankd::backend::cpu
