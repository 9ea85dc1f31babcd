#include "backend/cpu/matmul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

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

class MatmulTest : public ::testing::TestWithParam<Epilogue> {};

TEST_P(MatmulTest, MatchesReferenceLinearAndActivation) {
  // Odd sizes (not multiples of any vector width), one row, and a MiniLM-like shape.
  const Case cases[] = {{1, 8, 16}, {37, 24, 40}, {5, 384, 1536}, {130, 64, 3}};
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
                                           Epilogue::kRelu, Epilogue::kTanh));

// The primitive serves any row count: the same object on batches of different sizes.
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

TEST(Matmul, RejectsMismatchedSizes) {
  const std::vector<float> w(12), b(3);
  const auto matmul = Matmul::create(w, b, 3, 5, Epilogue::kNone);
  ASSERT_FALSE(matmul.ok());
  EXPECT_EQ(matmul.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(matmul.status().message().find("[3 x 5]"), std::string::npos)
      << matmul.status().message();
}

}  // namespace
}  // namespace rerankd::backend::cpu
