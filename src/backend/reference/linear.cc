#include "backend/reference/linear.h"

#include <cassert>

#include "backend/target_clones.h"

namespace rerankd::backend::reference {
namespace {

// Rows of x handled together, so each element of a W row loaded feeds four dot products.
constexpr std::int64_t kRowBlock = 4;

// Outputs in the outer loop keep one W row hot in L1 while the x rows (at most a pair's
// activations, a few hundred KB) stream from L2.
//
// `omp simd reduction` (compiled with -fopenmp-simd; no OpenMP runtime) lets the compiler split
// each sum over SIMD lanes, which plain C++ forbids because it reorders float additions.
// target_clones builds an AVX2+FMA copy of this function, picked at load time on machines that
// have it, and a baseline copy for the rest; everything sits in this one function because GCC
// does not inline plain helpers into such a copy. x86-64-v3, not arch=haswell: the latter is
// chosen by CPU model, so AMD machines with AVX2 ran the baseline copy.
RERANKD_TARGET_CLONES("arch=x86-64-v3", "default") void linear_kernel(
    const float* x, std::int64_t rows, std::int64_t in, const float* w, const float* b,
    std::int64_t out, float* y) {
  for (std::int64_t o = 0; o < out; ++o) {
    const float* w_row = w + o * in;
    std::int64_t r = 0;
    for (; r + kRowBlock <= rows; r += kRowBlock) {
      const float* x0 = x + r * in;
      const float* x1 = x0 + in;
      const float* x2 = x1 + in;
      const float* x3 = x2 + in;
      float sum0 = 0.0f, sum1 = 0.0f, sum2 = 0.0f, sum3 = 0.0f;
#pragma omp simd reduction(+ : sum0, sum1, sum2, sum3)
      for (std::int64_t k = 0; k < in; ++k) {
        sum0 += x0[k] * w_row[k];
        sum1 += x1[k] * w_row[k];
        sum2 += x2[k] * w_row[k];
        sum3 += x3[k] * w_row[k];
      }
      y[(r + 0) * out + o] = sum0 + b[o];
      y[(r + 1) * out + o] = sum1 + b[o];
      y[(r + 2) * out + o] = sum2 + b[o];
      y[(r + 3) * out + o] = sum3 + b[o];
    }
    for (; r < rows; ++r) {
      const float* x_row = x + r * in;
      float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
      for (std::int64_t k = 0; k < in; ++k) sum += x_row[k] * w_row[k];
      y[r * out + o] = sum + b[o];
    }
  }
}

}  // namespace

void linear(std::span<const float> x, std::int64_t rows, const model::LinearWeights& weights,
            std::span<float> y) {
  const std::int64_t out = weights.weight.dim(0);
  const std::int64_t in = weights.weight.dim(1);
  assert(static_cast<std::int64_t>(x.size()) >= rows * in);
  assert(static_cast<std::int64_t>(y.size()) >= rows * out);
  assert(weights.bias.numel() == out);
  linear_kernel(x.data(), rows, in, weights.weight.data.data(), weights.bias.data.data(), out,
                y.data());
}

}  // namespace rerankd::backend::reference
