#include "backend/cpu/matmul.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "backend/cpu/quantize.h"
#include "backend/reference/activation.h"
#include "backend/reference/linear.h"
#include "cpu/random_data.h"

namespace rerankd::backend::cpu {
namespace {

using testing::max_abs_diff;
using testing::random_values;

struct Case {
  std::int64_t rows;
  std::int64_t in;
  std::int64_t out;
};

// A scratchpad as the arena gives it: 64-byte aligned, scratch_bytes(rows) long.
struct AlignedScratch {
  explicit AlignedScratch(std::size_t bytes) : words(bytes / 8 + 16) {}
  void* data() {
    return reinterpret_cast<void*>((reinterpret_cast<std::uintptr_t>(words.data()) + 63) / 64 * 64);
  }
  std::vector<std::uint64_t> words;
};

// The reference: linear, then the activation applied elementwise.
std::vector<float> reference_output(const std::vector<float>& x, const Case& c,
                                    const std::vector<float>& w, const std::vector<float>& b,
                                    Epilogue epilogue) {
  const model::LinearWeights weights{{{c.out, c.in}, w}, {{c.out}, b}};
  std::vector<float> y(static_cast<std::size_t>(c.rows * c.out));
  reference::linear(x, c.rows, weights, y);
  for (float& value : y) {
    switch (epilogue) {
      case Epilogue::kNone:
        break;
      case Epilogue::kGeluErf:
        value = reference::gelu_erf(value);
        break;
      case Epilogue::kGeluTanh:
        value = reference::gelu_tanh(value);
        break;
      case Epilogue::kRelu:
        value = reference::relu(value);
        break;
      case Epilogue::kTanh:
        value = std::tanh(value);
        break;
    }
  }
  return y;
}

// Test names for the epilogues (ctest lists "Epilogues/...QuantisationBoundOfFp32/GeluErf").
std::string epilogue_name(const ::testing::TestParamInfo<Epilogue>& param_info) {
  switch (param_info.param) {
    case Epilogue::kNone:
      return "None";
    case Epilogue::kGeluErf:
      return "GeluErf";
    case Epilogue::kGeluTanh:
      return "GeluTanh";
    case Epilogue::kRelu:
      return "Relu";
    case Epilogue::kTanh:
      return "Tanh";
  }
  return "Unknown";
}

class MatmulTest : public ::testing::TestWithParam<Epilogue> {};

TEST_P(MatmulTest, MatchesReferenceLinearAndActivation) {
  // Odd sizes (not multiples of any vector width), one row, a MiniLM-like shape, and row counts
  // that span several chunk sizes with a padded tail (1300 = 1024 + 256 + 16 + 4).
  const Case cases[] = {{1, 8, 16}, {37, 24, 40}, {5, 384, 1536}, {130, 64, 3}, {1300, 40, 24}};
  unsigned seed = 1;
  for (const Case& c : cases) {
    const auto x = random_values(static_cast<std::size_t>(c.rows * c.in), 1.0f, seed++);
    const auto w = random_values(static_cast<std::size_t>(c.out * c.in), 0.2f, seed++);
    const auto b = random_values(static_cast<std::size_t>(c.out), 0.5f, seed++);
    auto matmul = Matmul::create(w, b, c.out, c.in, GetParam());
    ASSERT_TRUE(matmul.ok()) << matmul.status().to_string();
    EXPECT_EQ(matmul->in(), c.in);
    EXPECT_EQ(matmul->out(), c.out);
    std::vector<std::byte> scratchpad(matmul->scratchpad_bytes() + 1);
    std::vector<float> y(static_cast<std::size_t>(c.rows * c.out), -7.0f);
    matmul->run(x.data(), c.rows, y.data(), scratchpad.data());
    const auto expected = reference_output(x, c, w, b, GetParam());
    EXPECT_LE(max_abs_diff(y, expected), 1e-5)
        << c.rows << "x" << c.in << " -> " << c.out << " (" << matmul->implementation() << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(Epilogues, MatmulTest,
                         ::testing::Values(Epilogue::kNone, Epilogue::kGeluErf, Epilogue::kGeluTanh,
                                           Epilogue::kRelu, Epilogue::kTanh),
                         epilogue_name);

// One Matmul serves any row count: the same object on batches of different sizes.
TEST(Matmul, OnePrimitiveServesEveryRowCount) {
  const std::int64_t in = 16, out = 12;
  const auto w = random_values(out * in, 0.3f, 11);
  const auto b = random_values(out, 0.3f, 12);
  auto matmul = Matmul::create(w, b, out, in, Epilogue::kGeluErf);
  ASSERT_TRUE(matmul.ok()) << matmul.status().to_string();
  std::vector<std::byte> scratchpad(matmul->scratchpad_bytes() + 1);
  for (const std::int64_t rows : {100, 3, 1, 64}) {
    const auto x =
        random_values(static_cast<std::size_t>(rows * in), 1.0f, static_cast<unsigned>(rows));
    std::vector<float> y(static_cast<std::size_t>(rows * out));
    matmul->run(x.data(), rows, y.data(), scratchpad.data());
    EXPECT_LE(max_abs_diff(y, reference_output(x, {rows, in, out}, w, b, Epilogue::kGeluErf)), 1e-5)
        << rows << " rows";
  }
}

std::vector<float> run_matmul(const Matmul& matmul, const std::vector<float>& x,
                              std::int64_t rows) {
  AlignedScratch scratch(matmul.scratch_bytes(rows));
  std::vector<float> y(static_cast<std::size_t>(rows * matmul.out()), -7.0f);
  matmul.run(x.data(), rows, y.data(), scratch.data());
  return y;
}

// Splitting the rows over fixed-shape primitives (here of 8 and 4 rows, so every path shows on
// small matrices: whole chunks, several sizes, a padded tail, fewer rows than any chunk) gives
// what one runtime-M primitive gives, in every precision this CPU runs.
TEST(Matmul, ChunkedRowsMatchOneRuntimePrimitive) {
  const std::int64_t in = 40, out = 24;
  const auto w = random_values(static_cast<std::size_t>(out * in), 0.2f, 51);
  const auto b = random_values(static_cast<std::size_t>(out), 0.5f, 52);
  const std::int64_t chunks[] = {4, 8};  // any order
  for (const Precision precision : {Precision::kFp32, Precision::kBf16, Precision::kInt8}) {
    if (!check_precision(precision).ok()) continue;
    auto chunked = Matmul::create(w, b, out, in, Epilogue::kGeluErf, precision, chunks);
    auto runtime = Matmul::create(w, b, out, in, Epilogue::kGeluErf, precision, {});
    ASSERT_TRUE(chunked.ok()) << chunked.status().to_string();
    ASSERT_TRUE(runtime.ok()) << runtime.status().to_string();
    EXPECT_TRUE(runtime->chunk_rows().empty());
    EXPECT_NE(std::string(runtime->implementation()).find("runtime M"), std::string::npos)
        << runtime->implementation();
    ASSERT_EQ(chunked->chunk_rows().size(), 2u) << chunked->implementation();
    EXPECT_EQ(chunked->chunk_rows()[0], 8);
    EXPECT_EQ(chunked->chunk_rows()[1], 4);
    EXPECT_NE(std::string(chunked->implementation()).find("M=8,4"), std::string::npos)
        << chunked->implementation();
    // More scratch for a padded tail than for the rows alone, never less.
    EXPECT_GE(chunked->scratch_bytes(5), runtime->scratch_bytes(5));
    for (const std::int64_t rows : {1, 3, 4, 5, 8, 12, 13, 21, 100}) {
      const auto x =
          random_values(static_cast<std::size_t>(rows * in), 1.5f, static_cast<unsigned>(rows));
      const auto expected = run_matmul(*runtime, x, rows);
      const auto y = run_matmul(*chunked, x, rows);
      EXPECT_LE(max_abs_diff(y, expected), 1e-5)
          << precision_name(precision) << ", " << rows << " rows (" << chunked->implementation()
          << " vs " << runtime->implementation() << ")";
    }
  }
}

// Inside a parallel region each thread runs its own rows, on the one-thread primitives with
// their own scratchpad and stream, and gets what the two-thread team gets on all rows. Rows hit
// the 1024, 64 and 16 chunks and a padded tail.
TEST(Matmul, RunsInsideParallelRegionsAsOutside) {
  const std::int64_t in = 48, out = 40, rows = 1107, half = 560;
  const auto w = random_values(static_cast<std::size_t>(out * in), 0.2f, 71);
  const auto b = random_values(static_cast<std::size_t>(out), 0.5f, 72);
  const auto x = random_values(static_cast<std::size_t>(rows * in), 1.5f, 73);
  for (const Precision precision : {Precision::kFp32, Precision::kBf16, Precision::kInt8}) {
    if (!check_precision(precision).ok()) continue;
    auto matmul =
        Matmul::create(w, b, out, in, Epilogue::kGeluErf, precision, kChunkRows, /*threads=*/2);
    ASSERT_TRUE(matmul.ok()) << matmul.status().to_string();
    EXPECT_EQ(matmul->team_threads(), 2);
    ASSERT_TRUE(matmul->runs_in_parallel_regions()) << matmul->implementation();
    const auto expected = run_matmul(*matmul, x, rows);
    std::vector<float> y(expected.size(), -7.0f);
    const std::int64_t begin[] = {0, half};
    const std::int64_t count[] = {half, rows - half};
#pragma omp parallel for num_threads(2)
    for (int part = 0; part < 2; ++part) {
      AlignedScratch scratch(matmul->scratch_bytes(count[part]));
      matmul->run(x.data() + begin[part] * in, count[part], y.data() + begin[part] * out,
                  scratch.data());
    }
    EXPECT_LE(max_abs_diff(y, expected), 1e-5) << precision_name(precision);
  }
}

// Prints which oneDNN implementations serve a MiniLM-sized matmul (384 -> 1536) on this CPU, so
// a run on another machine shows whether oneDNN picked brgemm (AMX, VNNI, AVX512_BF16) there.
TEST(Matmul, ReportsImplementationsOfFixedShapes) {
  const std::int64_t in = 384, out = 1536;
  const auto w = random_values(static_cast<std::size_t>(out * in), 0.2f, 61);
  const auto b = random_values(static_cast<std::size_t>(out), 0.5f, 62);
  std::printf("oneDNN ISA: %s\n", cpu_isa_name());
  for (const Precision precision : {Precision::kFp32, Precision::kBf16, Precision::kInt8}) {
    if (!check_precision(precision).ok()) {
      std::printf("  %s: %s\n", precision_name(precision),
                  check_precision(precision).message().c_str());
      continue;
    }
    auto fixed = Matmul::create(w, b, out, in, Epilogue::kGeluErf, precision);
    auto runtime = Matmul::create(w, b, out, in, Epilogue::kGeluErf, precision, {});
    ASSERT_TRUE(fixed.ok()) << fixed.status().to_string();
    ASSERT_TRUE(runtime.ok()) << runtime.status().to_string();
    std::printf("  %s 384->1536: fixed %s | fallback %s\n", precision_name(precision),
                fixed->implementation(), runtime->implementation());
    // The fixed shapes were built (a dropped size is allowed; none at all defeats the point).
    EXPECT_FALSE(fixed->chunk_rows().empty()) << fixed->implementation();
    for (const std::int64_t rows : fixed->chunk_rows()) {
      EXPECT_NE(std::find(std::begin(kChunkRows), std::end(kChunkRows), rows),
                std::end(kChunkRows));
    }
  }
}

TEST(Matmul, RejectsMismatchedSizes) {
  const std::vector<float> w(12), b(3);
  const auto matmul = Matmul::create(w, b, 3, 5, Epilogue::kNone);
  ASSERT_FALSE(matmul.ok());
  EXPECT_EQ(matmul.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(matmul.status().message().find("[3 x 5]"), std::string::npos)
      << matmul.status().message();
}

// ---- int8: quantisation ----

// Every row gets its own scale (max - min) / 255 and zero point over its range widened to hold
// 0; each value comes back within half a step, and 0 exactly.
TEST(QuantizeRows, RoundTripPerRowScalesAndZeroPoints) {
  const std::int64_t rows = 7, cols = 37;
  auto x = random_values(static_cast<std::size_t>(rows * cols), 1.0f, 21);
  // Rows of very different magnitudes (per-token scales exist for this), an all-zero row, and
  // a row that is all positive (a GELU output, nearly).
  const float magnitudes[] = {1.0f, 1e-3f, 50.0f, 0.0f, 3.0f, 1e4f, 2.0f};
  for (std::int64_t i = 0; i < rows; ++i) {
    for (std::int64_t j = 0; j < cols; ++j) x[i * cols + j] *= magnitudes[i];
  }
  for (std::int64_t j = 0; j < cols; ++j) x[6 * cols + j] = std::abs(x[6 * cols + j]);
  std::vector<std::uint8_t> q(x.size());
  std::vector<float> scales(rows, -1.0f), zero_points(rows, -1.0f);
  quantize_rows(x.data(), rows, cols, q.data(), scales.data(), zero_points.data());
  for (std::int64_t i = 0; i < rows; ++i) {
    float lo = 0.0f, hi = 0.0f;
    for (std::int64_t j = 0; j < cols; ++j) {
      lo = std::min(lo, x[i * cols + j]);
      hi = std::max(hi, x[i * cols + j]);
    }
    EXPECT_FLOAT_EQ(scales[i], (hi - lo) / kActivationLevels) << "row " << i;
    EXPECT_EQ(zero_points[i], std::round(zero_points[i]));
    EXPECT_GE(zero_points[i], 0.0f);
    EXPECT_LE(zero_points[i], static_cast<float>(kActivationLevels));
    if (i == 6) {
      EXPECT_EQ(zero_points[i], 0.0f);  // no negative values: no levels spent on them
    }
    int top = 0, bottom = 255;
    for (std::int64_t j = 0; j < cols; ++j) {
      const float value = x[i * cols + j];
      const int level = q[i * cols + j];
      top = std::max(top, level);
      bottom = std::min(bottom, level);
      EXPECT_LE(std::abs(value - (static_cast<float>(level) - zero_points[i]) * scales[i]),
                0.5f * scales[i] * 1.001f + 1e-30f)
          << "row " << i << " col " << j;
    }
    // The row's maximum lands on (or next to, by rounding the zero point) the top level.
    EXPECT_GE(top, hi > 0.0f ? kActivationLevels - 1 : 0) << "row " << i;
  }
}

// Weights: one scale per output channel (row of PyTorch's [out, in]) at the levels asked for.
TEST(QuantizeChannels, RoundTripPerChannelScales) {
  const std::int64_t out = 9, in = 20;
  auto w = random_values(static_cast<std::size_t>(out * in), 0.2f, 22);
  for (std::int64_t j = 0; j < in; ++j) w[3 * in + j] *= 100.0f;  // one loud channel
  for (const int levels : {127, 63}) {
    std::vector<std::int8_t> q(w.size());
    std::vector<float> scales(out);
    quantize_channels(w, out, in, levels, q.data(), scales.data());
    EXPECT_GT(scales[3], 50.0f * scales[0]);  // the loud channel does not coarsen the others
    for (std::int64_t i = 0; i < out; ++i) {
      for (std::int64_t j = 0; j < in; ++j) {
        EXPECT_LE(std::abs(q[i * in + j]), levels);
        EXPECT_LE(std::abs(w[i * in + j] - q[i * in + j] * scales[i]), 0.5f * scales[i] * 1.0001f);
      }
    }
  }
}

TEST(Int8WeightLevels, SevenBitsWithoutVnni) {
  const std::string isa = cpu_isa_name();
  const bool vnni =
      isa == "avx512_core_vnni" || isa == "avx512_core_bf16" || isa == "avx512_core_amx";
  EXPECT_EQ(int8_weight_levels(), vnni ? 127 : 63) << isa;
}

// Per element, |x w - x^ w^| summed over k is at most sum(|x| dw + |w| dx + dx dw) with
// dx = s_row / 2 (s_row = (max - min) / 255) and dw = s_col / 2 (s_col = max|w| / levels); the
// activations we use have slopes <= 1.13 (GELU), so 1.2 times that, plus float rounding.
std::vector<float> int8_error_bounds(const std::vector<float>& x, const std::vector<float>& w,
                                     const Case& c) {
  std::vector<float> bounds(static_cast<std::size_t>(c.rows * c.out));
  const auto weight_levels = static_cast<float>(int8_weight_levels());
  for (std::int64_t m = 0; m < c.rows; ++m) {
    float lo = 0.0f, hi = 0.0f;
    for (std::int64_t k = 0; k < c.in; ++k) {
      lo = std::min(lo, x[m * c.in + k]);
      hi = std::max(hi, x[m * c.in + k]);
    }
    const float dx = 0.5f * (hi - lo) / kActivationLevels;
    for (std::int64_t n = 0; n < c.out; ++n) {
      float w_max = 0.0f;
      for (std::int64_t k = 0; k < c.in; ++k) w_max = std::max(w_max, std::abs(w[n * c.in + k]));
      const float dw = 0.5f * w_max / weight_levels;
      double sum = 0.0;
      for (std::int64_t k = 0; k < c.in; ++k) {
        sum += std::abs(x[m * c.in + k]) * dw + std::abs(w[n * c.in + k]) * dx + dx * dw;
      }
      bounds[m * c.out + n] = static_cast<float>(1.2 * sum + 1e-4);
    }
  }
  return bounds;
}

class Int8MatmulTest : public ::testing::TestWithParam<Epilogue> {};

TEST_P(Int8MatmulTest, WithinTheQuantisationBoundOfFp32) {
  const Case cases[] = {{1, 8, 16}, {37, 24, 40}, {50, 384, 1152}, {13, 1536, 384}, {130, 64, 3}};
  unsigned seed = 31;
  double worst_fraction = 0.0;  // largest error / bound seen
  for (const Case& c : cases) {
    const auto x = random_values(static_cast<std::size_t>(c.rows * c.in), 2.0f, seed++);
    const auto w = random_values(static_cast<std::size_t>(c.out * c.in), 0.2f, seed++);
    const auto b = random_values(static_cast<std::size_t>(c.out), 0.5f, seed++);
    auto matmul = Matmul::create(w, b, c.out, c.in, GetParam(), Precision::kInt8);
    ASSERT_TRUE(matmul.ok()) << matmul.status().to_string();
    EXPECT_EQ(matmul->precision(), Precision::kInt8);
    AlignedScratch scratch(matmul->scratch_bytes(c.rows));
    void* scratchpad = scratch.data();
    std::vector<float> y(static_cast<std::size_t>(c.rows * c.out), -7.0f);
    matmul->run(x.data(), c.rows, y.data(), scratchpad);
    const auto expected = reference_output(x, c, w, b, GetParam());
    const auto bounds = int8_error_bounds(x, w, c);
    int failures = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const double error = std::abs(double{y[i]} - expected[i]);
      worst_fraction = std::max(worst_fraction, error / bounds[i]);
      if (!(error <= bounds[i]) && ++failures <= 3) {
        ADD_FAILURE() << c.rows << "x" << c.in << " -> " << c.out << " element " << i << ": got "
                      << y[i] << ", fp32 " << expected[i] << ", bound " << bounds[i] << " ("
                      << matmul->implementation() << ")";
      }
    }
  }
  std::printf("int8 matmul (%s): worst error = %.3f of the bound\n", cpu_isa_name(),
              worst_fraction);
}

INSTANTIATE_TEST_SUITE_P(Epilogues, Int8MatmulTest,
                         ::testing::Values(Epilogue::kNone, Epilogue::kGeluErf, Epilogue::kGeluTanh,
                                           Epilogue::kRelu, Epilogue::kTanh),
                         epilogue_name);

// The case that saturates vpmaddubsw's 16-bit pair sums with 8-bit weights and no VNNI: every
// activation and weight at its largest magnitude, same sign. The result must still be exact
// (up to fp32 rounding): x = 1, w = 0.5 gives in * 0.5.
TEST(Int8Matmul, NoSaturationAtFullScale) {
  const std::int64_t rows = 4, in = 256, out = 32;
  const std::vector<float> x(static_cast<std::size_t>(rows * in), 1.0f);
  const std::vector<float> w(static_cast<std::size_t>(out * in), 0.5f);
  const std::vector<float> b(static_cast<std::size_t>(out), 0.0f);
  auto matmul = Matmul::create(w, b, out, in, Epilogue::kNone, Precision::kInt8);
  ASSERT_TRUE(matmul.ok()) << matmul.status().to_string();
  AlignedScratch scratch(matmul->scratch_bytes(rows));
  void* scratchpad = scratch.data();
  std::vector<float> y(static_cast<std::size_t>(rows * out));
  matmul->run(x.data(), rows, y.data(), scratchpad);
  for (const float value : y) {
    EXPECT_NEAR(value, 0.5f * in, 1e-3f * in)
        << matmul->implementation() << " on " << cpu_isa_name();
  }
}

// Levels for `rows` rows of width `cols`, padded with zero rows to `padded` as run_quantized
// needs, quantised by quantize_rows.
struct Levels {
  std::vector<std::uint8_t> levels;
  std::vector<float> scales;
  std::vector<float> zero_points;

  Levels(std::int64_t rows, std::int64_t padded, std::int64_t cols)
      : levels(static_cast<std::size_t>(padded * cols), 0),
        scales(static_cast<std::size_t>(rows)),
        zero_points(static_cast<std::size_t>(rows)) {}
  QuantizedRows view() { return {levels.data(), scales.data(), zero_points.data()}; }
};

TEST(Int8Matmul, QuantisedInputAndOutputEqualSeparatePasses) {
  // 1100 rows: chunks of 1024 and 64 plus a padded tail of 12.
  const std::int64_t rows = 1100, in = 40, out = 24;
  const auto x = random_values(static_cast<std::size_t>(rows * in), 2.0f, 41);
  const auto w = random_values(static_cast<std::size_t>(out * in), 0.2f, 42);
  const auto b = random_values(static_cast<std::size_t>(out), 0.5f, 43);
  auto matmul = Matmul::create(w, b, out, in, Epilogue::kGeluErf, Precision::kInt8);
  ASSERT_TRUE(matmul.ok()) << matmul.status().to_string();
  const std::int64_t padded = matmul->padded_rows(rows);
  EXPECT_EQ(padded, 1104);
  AlignedScratch scratch(matmul->scratch_bytes(rows));
  void* scratchpad = scratch.data();

  // The plain run, then its output quantised in a pass of its own.
  std::vector<float> expected(static_cast<std::size_t>(rows * out));
  matmul->run(x.data(), rows, expected.data(), scratchpad);
  Levels expected_levels(rows, padded, out);
  quantize_rows(expected.data(), rows, out, expected_levels.levels.data(),
                expected_levels.scales.data(), expected_levels.zero_points.data());

  // The input quantised beforehand, the plain output: the same as quantising in the run.
  Levels input(rows, padded, in);
  quantize_rows(x.data(), rows, in, input.levels.data(), input.scales.data(),
                input.zero_points.data());
  std::vector<float> from_levels(static_cast<std::size_t>(rows * out), -7.0f);
  matmul->run_quantized(input.view(), rows, from_levels.data(), scratchpad);
  EXPECT_EQ(from_levels, expected);

  // The output quantised by the run (y is then scratch).
  Levels output(rows, padded, out);
  const QuantizedRows output_view = output.view();
  std::vector<float> y(static_cast<std::size_t>(rows * out), -7.0f);
  matmul->run_quantized(input.view(), rows, y.data(), scratchpad, &output_view);

  EXPECT_EQ(output.levels, expected_levels.levels);
  EXPECT_EQ(output.scales, expected_levels.scales);
  EXPECT_EQ(output.zero_points, expected_levels.zero_points);
}

TEST(Matmul, QuantisedOperandsNeedInt8) {
  const std::vector<float> w(8 * 4, 0.5f), b(8, 0.0f), x(2 * 4, 1.0f);
  auto matmul = Matmul::create(w, b, 8, 4, Epilogue::kNone, Precision::kFp32);
  ASSERT_TRUE(matmul.ok()) << matmul.status().to_string();
  AlignedScratch scratch(matmul->scratch_bytes(2));
  void* scratchpad = scratch.data();
  Levels levels(2, 16, 8);
  const QuantizedRows view = levels.view();
  std::vector<float> y(2 * 8);
  EXPECT_THROW(matmul->run(x.data(), 2, y.data(), scratchpad, &view), std::logic_error);
  EXPECT_THROW(matmul->run_quantized(view, 2, y.data(), scratchpad), std::logic_error);
}

// ---- bf16 ----

TEST(ToBf16, RoundsToNearestEven) {
  const float values[] = {1.0f, -2.5f, 1.0f + 0x1p-8f, 1.0f + 0x1p-8f + 0x1p-16f,
                          1.0f + 3 * 0x1p-8f};
  const std::uint16_t expected[] = {0x3f80, 0xc020, 0x3f80 /* tie: to even */,
                                    0x3f81 /* above the tie */, 0x3f82 /* tie: to even */};
  std::uint16_t out[5];
  to_bf16(values, 5, out);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(out[i], expected[i]) << values[i];
}

TEST(Bf16Matmul, WithinBf16RoundingOfFp32OrUnimplemented) {
  const Status supported = check_precision(Precision::kBf16);
  const Case c{37, 384, 1536};
  const auto x = random_values(static_cast<std::size_t>(c.rows * c.in), 1.0f, 41);
  const auto w = random_values(static_cast<std::size_t>(c.out * c.in), 0.2f, 42);
  const auto b = random_values(static_cast<std::size_t>(c.out), 0.5f, 43);
  auto matmul = Matmul::create(w, b, c.out, c.in, Epilogue::kGeluErf, Precision::kBf16);
  if (!supported.ok()) {
    ASSERT_FALSE(matmul.ok());
    EXPECT_EQ(matmul.status().code(), StatusCode::kUnimplemented);
    EXPECT_NE(matmul.status().message().find("bf16 needs AVX-512"), std::string::npos)
        << matmul.status().message();
    GTEST_SKIP() << supported.message();
  }
  ASSERT_TRUE(matmul.ok()) << matmul.status().to_string();
  AlignedScratch scratch(matmul->scratch_bytes(c.rows));
  void* scratchpad = scratch.data();
  std::vector<float> y(static_cast<std::size_t>(c.rows * c.out));
  matmul->run(x.data(), c.rows, y.data(), scratchpad);
  const auto expected = reference_output(x, c, w, b, Epilogue::kGeluErf);
  // Each operand is off by at most 2^-9 relative, so each product by ~2^-8: the bound is
  // 2^-8 * sum |x w| (times GELU's slope), plus float rounding.
  for (std::int64_t m = 0; m < c.rows; ++m) {
    for (std::int64_t n = 0; n < c.out; ++n) {
      double sum = 0.0;
      for (std::int64_t k = 0; k < c.in; ++k) sum += std::abs(x[m * c.in + k] * w[n * c.in + k]);
      const double bound = 1.2 * 0x1p-8 * sum + 1e-4;
      ASSERT_NEAR(y[m * c.out + n], expected[m * c.out + n], bound)
          << m << "," << n << " (" << matmul->implementation() << ")";
    }
  }
}

}  // namespace
}  // namespace rerankd::backend::cpu
