// LtMatmul (cuBLASLt, fp16/bf16 with fp32 accumulation) against a CPU fp32 matmul on the very
// 16-bit values the GPU sees, for each epilogue, over row counts from 1 to 5000 (exact and
// bucketed algorithm choices alike). The GPU cases skip on a machine without one; the host
// rounding checks run everywhere.
#include "backend/cuda/lt_matmul.h"

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "backend/cuda/device_memory.h"
#include "backend/cuda/host_dtype.h"

namespace rerankd::backend::cuda {
namespace {

bool gpu_visible() {
  int count = 0;
  const bool visible = cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
  cudaGetLastError();  // clear cudaErrorNoDevice for later calls
  return visible;
}

// --- host rounding (no GPU needed) ---

TEST(HostDtype, Fp16RoundsToNearestEven) {
  EXPECT_EQ(round_to_device(1.0f, DeviceDType::kFp16), 1.0f);
  EXPECT_EQ(round_to_device(0.1f, DeviceDType::kFp16), 0.0999755859375f);
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties go to the even mantissa, 1.
  EXPECT_EQ(round_to_device(1.0f + 0x1p-11f, DeviceDType::kFp16), 1.0f);
  EXPECT_EQ(round_to_device(1.0f + 3 * 0x1p-11f, DeviceDType::kFp16), 1.0f + 0x1p-9f);
  EXPECT_EQ(round_to_device(65504.0f, DeviceDType::kFp16), 65504.0f);
  EXPECT_TRUE(std::isinf(round_to_device(70000.0f, DeviceDType::kFp16)));
  EXPECT_EQ(to_device_bits(-2.0f, DeviceDType::kFp16), 0xc000);
}

TEST(HostDtype, Bf16RoundsToNearestEven) {
  EXPECT_EQ(round_to_device(1.0f, DeviceDType::kBf16), 1.0f);
  EXPECT_EQ(round_to_device(0.1f, DeviceDType::kBf16), 0.10009765625f);
  EXPECT_EQ(round_to_device(1.0f + 0x1p-8f, DeviceDType::kBf16), 1.0f);
  EXPECT_EQ(round_to_device(1.0f + 3 * 0x1p-8f, DeviceDType::kBf16), 1.0f + 0x1p-6f);
  EXPECT_EQ(round_to_device(70000.0f, DeviceDType::kBf16), 70144.0f);
  EXPECT_EQ(to_device_bits(-2.0f, DeviceDType::kBf16), 0xc000);
  EXPECT_EQ(to_device_bits(std::vector<float>{1.0f, -1.0f}, DeviceDType::kBf16),
            (std::vector<std::uint16_t>{0x3f80, 0xbf80}));
}

// --- the GEMM on the GPU ---

float gelu_erf(float x) { return 0.5f * x * (1.0f + std::erf(x / std::sqrt(2.0f))); }
float gelu_tanh(float x) {
  constexpr float kSqrt2OverPi = 0.7978845608028654f;
  return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * (x + 0.044715f * x * x * x)));
}

float activate(LtEpilogue epilogue, float x) {
  switch (epilogue) {
    case LtEpilogue::kBias:
      return x;
    case LtEpilogue::kBiasGeluErf:
      return gelu_erf(x);
    case LtEpilogue::kBiasGeluTanh:
      return gelu_tanh(x);
    case LtEpilogue::kBiasRelu:
      return x > 0.0f ? x : 0.0f;
  }
  return x;
}

std::string epilogue_label(LtEpilogue epilogue) {
  switch (epilogue) {
    case LtEpilogue::kBias:
      return "Bias";
    case LtEpilogue::kBiasGeluErf:
      return "GeluErf";
    case LtEpilogue::kBiasGeluTanh:
      return "GeluTanh";
    case LtEpilogue::kBiasRelu:
      return "Relu";
  }
  return "Unknown";
}

// n values uniform in [-scale, scale], already rounded to `dtype`.
std::vector<float> random_rounded(std::size_t n, float scale, DeviceDType dtype,
                                  std::mt19937& rng) {
  std::uniform_real_distribution<float> uniform(-scale, scale);
  std::vector<float> values(n);
  for (auto& v : values) v = round_to_device(uniform(rng), dtype);
  return values;
}

struct Gpu {
  LtHandle handle;
  cudaStream_t stream = nullptr;
  DeviceBuffer workspace;
};

class LtMatmulTest : public ::testing::TestWithParam<std::tuple<DeviceDType, LtEpilogue>> {
 protected:
  void SetUp() override {
    if (!gpu_visible()) GTEST_SKIP() << "no GPU visible";
    ASSERT_EQ(cudaSetDevice(0), cudaSuccess);
    auto handle = create_lt_handle();
    ASSERT_TRUE(handle.ok()) << handle.status().to_string();
    gpu_.handle = std::move(*handle);
    ASSERT_EQ(cudaStreamCreate(&gpu_.stream), cudaSuccess);
    const Status reserved = gpu_.workspace.reserve(LtMatmul::workspace_bytes());
    ASSERT_TRUE(reserved.ok()) << reserved.to_string();
  }
  void TearDown() override {
    if (gpu_.stream != nullptr) cudaStreamDestroy(gpu_.stream);
  }

  // Runs x W^T + b with the epilogue for each row count and compares every checked row with
  // the CPU, reporting the worst element.
  void check_shape(std::int64_t in, std::int64_t out, const std::vector<std::int64_t>& row_counts) {
    const auto [dtype, epilogue] = GetParam();
    std::mt19937 rng(static_cast<std::uint32_t>(in * 131 + out));
    // Weights scaled by 1/sqrt(in) keep outputs near unit size, as in a trained Linear.
    const auto weight = random_rounded(static_cast<std::size_t>(out * in),
                                       1.0f / std::sqrt(static_cast<float>(in)), dtype, rng);
    const auto bias = random_rounded(static_cast<std::size_t>(out), 0.5f, dtype, rng);
    auto matmul = LtMatmul::create(gpu_.handle.get(), dtype, weight, bias, out, in, epilogue);
    ASSERT_TRUE(matmul.ok()) << matmul.status().to_string();
    EXPECT_EQ(matmul->in(), in);
    EXPECT_EQ(matmul->out(), out);

    // 16-bit outputs: half an ulp of relative rounding plus a little for the fp32
    // accumulation order; GELU-erf also carries cuBLASLt's tanh approximation (<= 4.7e-4).
    const double relative = dtype == DeviceDType::kFp16 ? 1e-3 : 8e-3;
    const double absolute = epilogue == LtEpilogue::kBiasGeluErf ? 1e-3 : 2e-4;

    for (const std::int64_t rows : row_counts) {
      SCOPED_TRACE("rows " + std::to_string(rows) + ", [" + std::to_string(out) + ", " +
                   std::to_string(in) + "]");
      const auto x = random_rounded(static_cast<std::size_t>(rows * in), 1.0f, dtype, rng);
      const auto x_bits = to_device_bits(x, dtype);
      DeviceBuffer x_device;
      DeviceBuffer y_device;
      ASSERT_TRUE(x_device.reserve(x_bits.size() * 2).ok());
      ASSERT_TRUE(y_device.reserve(static_cast<std::size_t>(rows * out) * 2).ok());
      ASSERT_EQ(
          cudaMemcpy(x_device.data(), x_bits.data(), x_bits.size() * 2, cudaMemcpyHostToDevice),
          cudaSuccess);
      ASSERT_EQ(cudaMemset(y_device.data(), 0xff, static_cast<std::size_t>(rows * out) * 2),
                cudaSuccess);  // NaN everywhere: an unwritten element cannot pass
      const Status ran =
          matmul->run(x_device.data(), rows, y_device.data(), gpu_.workspace.data(), gpu_.stream);
      ASSERT_TRUE(ran.ok()) << ran.to_string();
      ASSERT_EQ(cudaStreamSynchronize(gpu_.stream), cudaSuccess);
      std::vector<std::uint16_t> y_bits(static_cast<std::size_t>(rows * out));
      ASSERT_EQ(
          cudaMemcpy(y_bits.data(), y_device.data(), y_bits.size() * 2, cudaMemcpyDeviceToHost),
          cudaSuccess);

      double worst = -1.0;
      std::string worst_at;
      for (std::int64_t r = 0; r < rows; ++r) {
        // Every row of small batches; a sample (and the last row) of large ones.
        if (rows > 1000 && r % 37 != 0 && r != rows - 1) continue;
        for (std::int64_t o = 0; o < out; ++o) {
          float sum = 0.0f;
          const float* x_row = &x[static_cast<std::size_t>(r * in)];
          const float* w_row = &weight[static_cast<std::size_t>(o * in)];
          for (std::int64_t k = 0; k < in; ++k) sum += x_row[k] * w_row[k];
          const double expected = activate(epilogue, sum + bias[static_cast<std::size_t>(o)]);
          const double got = from_device_bits(y_bits[static_cast<std::size_t>(r * out + o)], dtype);
          const double excess =
              std::abs(got - expected) - (absolute + relative * std::abs(expected));
          if (!(excess <= worst)) {  // NaN counts as worst
            worst = excess;
            worst_at = "row " + std::to_string(r) + " col " + std::to_string(o) + ": expected " +
                       std::to_string(expected) + ", got " + std::to_string(got);
          }
        }
      }
      EXPECT_LE(worst, 0.0) << "worst element beyond tolerance: " << worst_at;
    }
  }

  Gpu gpu_;
};

// qkv-like (384 -> 1152) and output-like (1536 -> 384) shapes of MiniLM-L6; row counts cover a
// single token, exact buckets (<= 64) and rounded-up ones (65 and 100 share the 128 bucket,
// 5000 uses 5120's algorithm).
const std::vector<std::int64_t> kRowCounts{1, 5, 64, 65, 100, 777, 5000};

TEST_P(LtMatmulTest, MatchesCpuNarrowToWide) { check_shape(384, 1152, kRowCounts); }
TEST_P(LtMatmulTest, MatchesCpuWideToNarrow) { check_shape(1536, 384, kRowCounts); }

INSTANTIATE_TEST_SUITE_P(
    DtypesAndEpilogues, LtMatmulTest,
    ::testing::Combine(::testing::Values(DeviceDType::kFp16, DeviceDType::kBf16),
                       ::testing::Values(LtEpilogue::kBias, LtEpilogue::kBiasGeluErf,
                                         LtEpilogue::kBiasGeluTanh, LtEpilogue::kBiasRelu)),
    [](const auto& param_info) {
      return std::string(dtype_name(std::get<0>(param_info.param))) + "_" +
             epilogue_label(std::get<1>(param_info.param));
    });

class LtMatmulErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!gpu_visible()) GTEST_SKIP() << "no GPU visible";
    ASSERT_EQ(cudaSetDevice(0), cudaSuccess);
    auto handle = create_lt_handle();
    ASSERT_TRUE(handle.ok()) << handle.status().to_string();
    handle_ = std::move(*handle);
  }
  LtHandle handle_;
};

TEST_F(LtMatmulErrors, WeightSizeMustMatchShape) {
  const std::vector<float> weight(10, 0.0f);
  const std::vector<float> bias(4, 0.0f);
  auto matmul =
      LtMatmul::create(handle_.get(), DeviceDType::kFp16, weight, bias, 4, 3, LtEpilogue::kBias);
  ASSERT_FALSE(matmul.ok());
  EXPECT_EQ(matmul.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(matmul.status().message().find("10"), std::string::npos) << matmul.status().message();
}

TEST_F(LtMatmulErrors, MisalignedPointersAreRejectedAndZeroRowsIsANoOp) {
  const std::vector<float> weight(64 * 64, 0.01f);
  const std::vector<float> bias(64, 0.0f);
  auto matmul =
      LtMatmul::create(handle_.get(), DeviceDType::kBf16, weight, bias, 64, 64, LtEpilogue::kBias);
  ASSERT_TRUE(matmul.ok()) << matmul.status().to_string();
  DeviceBuffer buffer;
  DeviceBuffer workspace;
  ASSERT_TRUE(buffer.reserve(1 << 20).ok());
  ASSERT_TRUE(workspace.reserve(LtMatmul::workspace_bytes()).ok());
  auto* base = static_cast<std::byte*>(buffer.data());
  const Status misaligned = matmul->run(base + 2, 4, base + 65536, workspace.data(), nullptr);
  EXPECT_EQ(misaligned.code(), StatusCode::kInvalidArgument) << misaligned.to_string();
  EXPECT_TRUE(matmul->run(base, 0, base + 65536, workspace.data(), nullptr).ok());
}

// A bucket's algorithm is timed on its first call, which must not happen inside a graph capture
// (nothing runs there, and waiting on an event would invalidate the capture): a bucket first seen
// while capturing takes the heuristic's first, and the graph computes what an eager run does.
TEST_F(LtMatmulErrors, ABucketFirstSeenWhileCapturingIsCapturedNotTimed) {
  constexpr std::int64_t kIn = 384;
  constexpr std::int64_t kOut = 1152;
  constexpr std::int64_t kRows = 300;  // the 320-row bucket, not used before
  std::mt19937 rng(7);
  const auto weight = random_rounded(kOut * kIn, 0.05f, DeviceDType::kFp16, rng);
  const auto bias = random_rounded(kOut, 0.5f, DeviceDType::kFp16, rng);
  auto matmul = LtMatmul::create(handle_.get(), DeviceDType::kFp16, weight, bias, kOut, kIn,
                                 LtEpilogue::kBias);
  ASSERT_TRUE(matmul.ok()) << matmul.status().to_string();
  const auto x_bits = to_device_bits(random_rounded(kRows * kIn, 1.0f, DeviceDType::kFp16, rng),
                                     DeviceDType::kFp16);
  DeviceBuffer x;
  DeviceBuffer captured_y;
  DeviceBuffer eager_y;
  DeviceBuffer workspace;
  const std::size_t y_bytes = static_cast<std::size_t>(kRows * kOut) * 2;
  ASSERT_TRUE(x.reserve(x_bits.size() * 2).ok());
  ASSERT_TRUE(captured_y.reserve(y_bytes).ok());
  ASSERT_TRUE(eager_y.reserve(y_bytes).ok());
  ASSERT_TRUE(workspace.reserve(LtMatmul::workspace_bytes()).ok());
  ASSERT_EQ(cudaMemcpy(x.data(), x_bits.data(), x_bits.size() * 2, cudaMemcpyHostToDevice),
            cudaSuccess);
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), cudaSuccess);
  const Status ran = matmul->run(x.data(), kRows, captured_y.data(), workspace.data(), stream);
  cudaGraph_t graph = nullptr;
  const cudaError_t ended = cudaStreamEndCapture(stream, &graph);
  ASSERT_TRUE(ran.ok()) << ran.to_string();
  ASSERT_EQ(ended, cudaSuccess) << cudaGetErrorString(ended);
  ASSERT_NE(graph, nullptr);
  cudaGraphExec_t exec = nullptr;
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
  const Status eager = matmul->run(x.data(), kRows, eager_y.data(), workspace.data(), stream);
  ASSERT_TRUE(eager.ok()) << eager.to_string();
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  std::vector<std::uint16_t> from_graph(static_cast<std::size_t>(kRows * kOut));
  std::vector<std::uint16_t> from_eager(from_graph.size());
  ASSERT_EQ(cudaMemcpy(from_graph.data(), captured_y.data(), y_bytes, cudaMemcpyDeviceToHost),
            cudaSuccess);
  ASSERT_EQ(cudaMemcpy(from_eager.data(), eager_y.data(), y_bytes, cudaMemcpyDeviceToHost),
            cudaSuccess);
  EXPECT_EQ(from_graph, from_eager);
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  cudaStreamDestroy(stream);
}

}  // namespace
}  // namespace rerankd::backend::cuda
