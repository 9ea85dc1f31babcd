// How much cuBLASLt's first heuristic answer leaves on the table for the encoder's GEMMs: for
// each GEMM of one BERT layer at `--rows` token rows, asks the heuristic for up to
// `--candidates` algorithms in the cuda backend's form (TN, fp32 accumulation, bias or GELU+bias
// epilogue, 32 MiB workspace) and times each. Prints microseconds and TFLOP/s per candidate,
// the heuristic's first marked, and the best against it. Random fp16 data; the weights'
// values do not change the time.
// Usage: lt_algo_bench [--rows 11520] [--hidden 384] [--inner 1536] [--candidates 16]
//                      [--iterations 200] [--dtype fp16|bf16]
#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Options {
  std::int64_t rows = 11520;  // batch 256 of the MS MARCO sample's ~45-token pairs
  std::int64_t hidden = 384;
  std::int64_t inner = 1536;
  int candidates = 16;
  int iterations = 200;
  cudaDataType_t type = CUDA_R_16F;
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--rows") options.rows = std::atoll(value);
    if (flag == "--hidden") options.hidden = std::atoll(value);
    if (flag == "--inner") options.inner = std::atoll(value);
    if (flag == "--candidates") options.candidates = std::atoi(value);
    if (flag == "--iterations") options.iterations = std::atoi(value);
    if (flag == "--dtype")
      options.type = std::string_view(value) == "bf16" ? CUDA_R_16BF : CUDA_R_16F;
  }
  return options;
}

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    std::fprintf(stderr, "%s: %s\n", what, cudaGetErrorString(status));
    std::exit(1);
  }
}

void check(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    std::fprintf(stderr, "%s: cuBLAS status %d\n", what, static_cast<int>(status));
    std::exit(1);
  }
}

struct Shape {
  const char* name;
  std::int64_t out;
  std::int64_t in;
  cublasLtEpilogue_t epilogue;
};

// The algorithm's tile, stages and split-K, for reading which kernel family won.
std::string describe(const cublasLtMatmulAlgo_t& algo) {
  int tile = 0;
  int stages = 0;
  int split_k = 0;
  int swizzle = 0;
  std::size_t written = 0;
  cublasLtMatmulAlgoConfigGetAttribute(&algo, CUBLASLT_ALGO_CONFIG_TILE_ID, &tile, sizeof(tile),
                                       &written);
  cublasLtMatmulAlgoConfigGetAttribute(&algo, CUBLASLT_ALGO_CONFIG_STAGES_ID, &stages,
                                       sizeof(stages), &written);
  cublasLtMatmulAlgoConfigGetAttribute(&algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &split_k,
                                       sizeof(split_k), &written);
  cublasLtMatmulAlgoConfigGetAttribute(&algo, CUBLASLT_ALGO_CONFIG_CTA_SWIZZLING, &swizzle,
                                       sizeof(swizzle), &written);
  return "tile " + std::to_string(tile) + " stages " + std::to_string(stages) + " splitK " +
         std::to_string(split_k) + " swizzle " + std::to_string(swizzle);
}

void time_shape(cublasLtHandle_t handle, const Options& options, const Shape& shape, void* x,
                void* weight, void* bias, void* y, void* workspace, std::size_t workspace_bytes,
                cudaStream_t stream) {
  cublasLtMatmulDesc_t desc = nullptr;
  check(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F), "desc");
  const cublasOperation_t transpose = CUBLAS_OP_T;
  const cublasOperation_t no_transpose = CUBLAS_OP_N;
  check(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &transpose,
                                       sizeof(transpose)),
        "transa");
  check(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &no_transpose,
                                       sizeof(no_transpose)),
        "transb");
  check(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &shape.epilogue,
                                       sizeof(shape.epilogue)),
        "epilogue");
  check(
      cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)),
      "bias");
  cublasLtMatrixLayout_t a = nullptr;
  cublasLtMatrixLayout_t b = nullptr;
  cublasLtMatrixLayout_t d = nullptr;
  const auto rows = static_cast<std::uint64_t>(options.rows);
  check(cublasLtMatrixLayoutCreate(&a, options.type, static_cast<std::uint64_t>(shape.in),
                                   static_cast<std::uint64_t>(shape.out), shape.in),
        "layout a");
  check(cublasLtMatrixLayoutCreate(&b, options.type, static_cast<std::uint64_t>(shape.in), rows,
                                   shape.in),
        "layout b");
  check(cublasLtMatrixLayoutCreate(&d, options.type, static_cast<std::uint64_t>(shape.out), rows,
                                   shape.out),
        "layout d");
  cublasLtMatmulPreference_t preference = nullptr;
  check(cublasLtMatmulPreferenceCreate(&preference), "preference");
  const std::uint64_t max_workspace = workspace_bytes;
  check(cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                             &max_workspace, sizeof(max_workspace)),
        "workspace");
  std::vector<cublasLtMatmulHeuristicResult_t> results(
      static_cast<std::size_t>(options.candidates));
  int returned = 0;
  check(cublasLtMatmulAlgoGetHeuristic(handle, desc, a, b, d, d, preference, options.candidates,
                                       results.data(), &returned),
        "heuristic");
  const double flop = 2.0 * static_cast<double>(options.rows) * static_cast<double>(shape.out) *
                      static_cast<double>(shape.in);
  std::printf("%s: [%lld, %lld] x [%lld, %lld], %d candidates\n", shape.name,
              static_cast<long long>(options.rows), static_cast<long long>(shape.in),
              static_cast<long long>(shape.in), static_cast<long long>(shape.out), returned);
  cudaEvent_t start = nullptr;
  cudaEvent_t stop = nullptr;
  check(cudaEventCreate(&start), "event");
  check(cudaEventCreate(&stop), "event");
  const float alpha = 1.0f;
  const float beta = 0.0f;
  double first_us = 0.0;
  double best_us = 1e30;
  int best = -1;
  for (int i = 0; i < returned; ++i) {
    const cublasLtMatmulAlgo_t& algo = results[static_cast<std::size_t>(i)].algo;
    auto run = [&] {
      return cublasLtMatmul(handle, desc, &alpha, weight, a, x, b, &beta, y, d, y, d, &algo,
                            workspace, workspace_bytes, stream);
    };
    if (run() != CUBLAS_STATUS_SUCCESS) {
      std::printf("  #%2d refused at run time\n", i);
      continue;
    }
    for (int w = 0; w < 10; ++w) run();
    check(cudaEventRecord(start, stream), "record");
    for (int r = 0; r < options.iterations; ++r) run();
    check(cudaEventRecord(stop, stream), "record");
    check(cudaEventSynchronize(stop), "sync");
    float ms = 0.0f;
    check(cudaEventElapsedTime(&ms, start, stop), "elapsed");
    const double us = 1000.0 * ms / options.iterations;
    if (i == 0) first_us = us;
    if (us < best_us) {
      best_us = us;
      best = i;
    }
    std::printf("  #%2d %8.2f us %7.1f TFLOP/s  %s%s\n", i, us, flop / (us * 1e-6) / 1e12,
                describe(algo).c_str(), i == 0 ? "  (heuristic's first)" : "");
  }
  if (best >= 0) {
    std::printf("  best #%d: %.2f us against %.2f us (%.1f%% less)\n", best, best_us, first_us,
                100.0 * (first_us - best_us) / first_us);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  cublasLtMatmulPreferenceDestroy(preference);
  cublasLtMatrixLayoutDestroy(a);
  cublasLtMatrixLayoutDestroy(b);
  cublasLtMatrixLayoutDestroy(d);
  cublasLtMatmulDescDestroy(desc);
}

// Random 16-bit values in [-0.5, 0.5) (as fp16 or bf16 bits alike: only the time matters).
void fill_random(void* device, std::size_t count, cudaDataType_t type) {
  std::vector<std::uint16_t> host(count);
  std::uint32_t state = 12345;
  for (auto& value : host) {
    state = state * 1664525u + 1013904223u;
    const std::uint16_t mantissa = static_cast<std::uint16_t>(state >> 22);
    // fp16 0x3400..0x37ff is [0.25, 0.5); bf16 0x3e80..0x3eff is [0.25, 0.5).
    value = type == CUDA_R_16F ? static_cast<std::uint16_t>(0x3400 | (mantissa & 0x3ff))
                               : static_cast<std::uint16_t>(0x3e80 | (mantissa & 0x7f));
    if (state & 1u) value |= 0x8000;
  }
  check(cudaMemcpy(device, host.data(), count * 2, cudaMemcpyHostToDevice), "copy");
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  const Shape shapes[] = {
      {"qkv", 3 * options.hidden, options.hidden, CUBLASLT_EPILOGUE_BIAS},
      {"attention output", options.hidden, options.hidden, CUBLASLT_EPILOGUE_BIAS},
      {"intermediate (GELU)", options.inner, options.hidden, CUBLASLT_EPILOGUE_GELU_BIAS},
      {"output", options.hidden, options.inner, CUBLASLT_EPILOGUE_BIAS},
  };
  const std::int64_t widest = std::max(3 * options.hidden, options.inner);
  const auto rows = static_cast<std::size_t>(options.rows);
  const auto wide = static_cast<std::size_t>(widest);
  void* x = nullptr;
  void* y = nullptr;
  void* weight = nullptr;
  void* bias = nullptr;
  void* workspace = nullptr;
  const std::size_t workspace_bytes = std::size_t{32} << 20;
  check(cudaMalloc(&x, rows * wide * 2), "malloc");
  check(cudaMalloc(&y, rows * wide * 2), "malloc");
  check(cudaMalloc(&weight, wide * wide * 2), "malloc");
  check(cudaMalloc(&bias, wide * 2), "malloc");
  check(cudaMalloc(&workspace, workspace_bytes), "malloc");
  fill_random(x, rows * wide, options.type);
  fill_random(weight, wide * wide, options.type);
  fill_random(bias, wide, options.type);
  cublasLtHandle_t handle = nullptr;
  check(cublasLtCreate(&handle), "cublasLtCreate");
  cudaStream_t stream = nullptr;
  check(cudaStreamCreate(&stream), "stream");
  for (const Shape& shape : shapes) {
    time_shape(handle, options, shape, x, weight, bias, y, workspace, workspace_bytes, stream);
  }
  cublasLtDestroy(handle);
  return 0;
}
