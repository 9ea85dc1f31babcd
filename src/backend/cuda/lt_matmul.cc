#include "backend/cuda/lt_matmul.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "backend/cuda/cuda_status.h"
#include "backend/cuda/device_memory.h"
#include "backend/cuda/host_dtype.h"

// How a row-major GEMM maps onto cuBLASLt, which is column-major throughout:
//
//   y[rows, out] = x[rows, in] W^T + b, with W stored [out, in] row-major (PyTorch's Linear).
//
// A row-major [r, c] matrix is, byte for byte, a column-major [c, r] matrix with ld = c. So
//   y  (row-major [rows, out]) is column-major D [out, rows], ld = out;
//   x  (row-major [rows, in])  is column-major B [in, rows],  ld = in, used as is (op N);
//   W  (row-major [out, in])   is column-major A [in, out],   ld = in, used transposed (op T).
// cuBLASLt computes D[m, n] = op(A)[m, k] op(B)[k, n] with m = out, n = rows, k = in, i.e.
// y^T = W x^T: the "TN" form, the one every cuBLASLt kernel family supports. The bias epilogue
// adds a vector of length m (D's rows: `out`) to every column of D, i.e. b to every token's row
// of y, which is exactly Linear's bias. Bias is stored in the same 16-bit type as D
// (CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE left at its default, "same as D"); the epilogue adds it
// to the fp32 accumulator before the activation and the final rounding.
//
// GELU: cuBLASLt's GELU epilogue is the tanh approximation, 0.5 x (1 + tanh(sqrt(2/pi) (x +
// 0.044715 x^3))), while BERT's "gelu" (transformers' activations.py, GELUActivation) is
// 0.5 x (1 + erf(x / sqrt 2)). The two differ by at most 4.7e-4 (at |x| ~ 2.7), below half an
// fp16 ulp there (ulp 2^-9 ~ 2e-3 on [2, 4)) and far below bf16's, so the epilogue's result
// rounds to the same or the neighbouring 16-bit value the exact form would. kBiasGeluErf
// therefore uses it rather than a separate erf pass over the [tokens, intermediate] activations
// (an extra read and write of the largest tensor in the layer); the logit conformance test
// (3e-2 of Hugging Face's fp32 logits) covers the end-to-end effect.

namespace rerankd::backend::cuda {

void LtHandleDeleter::operator()(cublasLtHandle_t handle) const {
  if (handle != nullptr) cublasLtDestroy(handle);
}

Result<LtHandle> create_lt_handle() {
  cublasLtHandle_t handle = nullptr;
  RERANKD_CUBLAS_RETURN_IF_ERROR(cublasLtCreate(&handle), "cublasLtCreate");
  return LtHandle(handle);
}

namespace {

// cuBLASLt assumes 256-byte aligned A, B, C and D unless told otherwise (the
// CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_*_BYTES defaults), and picks kernels accordingly.
constexpr std::uintptr_t kAlignment = 256;

cudaDataType_t cuda_type(DeviceDType dtype) {
  return dtype == DeviceDType::kFp16 ? CUDA_R_16F : CUDA_R_16BF;
}

cublasLtEpilogue_t lt_epilogue(LtEpilogue epilogue) {
  switch (epilogue) {
    case LtEpilogue::kBias:
      return CUBLASLT_EPILOGUE_BIAS;
    case LtEpilogue::kBiasGeluErf:  // the tanh form stands in for erf: see the top of this file
    case LtEpilogue::kBiasGeluTanh:
      return CUBLASLT_EPILOGUE_GELU_BIAS;
    case LtEpilogue::kBiasRelu:
      return CUBLASLT_EPILOGUE_RELU_BIAS;
  }
  return CUBLASLT_EPILOGUE_BIAS;
}

const char* epilogue_name(LtEpilogue epilogue) {
  switch (epilogue) {
    case LtEpilogue::kBias:
      return "BIAS";
    case LtEpilogue::kBiasGeluErf:
    case LtEpilogue::kBiasGeluTanh:
      return "GELU_BIAS";
    case LtEpilogue::kBiasRelu:
      return "RELU_BIAS";
  }
  return "BIAS";
}

std::int64_t round_up(std::int64_t value, std::int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

// Row counts vary with every batch (they are token counts), so the algorithm is chosen per
// bucket: exact up to 64 rows, then rounded up to a multiple of 64 (to 4096) or of 512. The
// heuristic runs for the bucket's upper end, and the kernel it picks handles any smaller n
// (cuBLASLt kernels bound-check partial tiles; n is not a leading dimension, so alignment does
// not depend on it, and split-K workspace only shrinks with n). This keeps the cache small
// (under 400 entries however batches vary) and the heuristic off the hot path.
std::int64_t rows_bucket(std::int64_t rows) {
  if (rows <= 64) return rows;
  if (rows <= 4096) return round_up(rows, 64);
  return round_up(rows, 512);
}

// Column-major layout descriptor initialised in place: no allocation per call.
Status init_layout(cublasLtMatrixLayoutOpaque_t& layout, cudaDataType_t type, std::int64_t rows,
                   std::int64_t cols, std::int64_t ld) {
  return cublas_status(cublasLtMatrixLayoutInit(&layout, type, static_cast<std::uint64_t>(rows),
                                                static_cast<std::uint64_t>(cols), ld),
                       "cublasLtMatrixLayoutInit");
}

// A bucket's algorithm is timed, not taken on trust: cuBLASLt's heuristic ranks candidates by a
// model, and on an H200 its first answer for MiniLM-L6's GEMMs at 11,520 rows was 13-16% slower
// than the best of its first eight for q | k | v and the attention output, 9% for the GELU
// intermediate, and 0-5% for the rest (bench/lt_algo_bench, issue 20). The timing runs once per
// bucket, on the first call's own operands, outside any graph capture.
constexpr int kCandidates = 8;
constexpr int kTimedRuns = 5;
// Candidates within this fraction of the fastest count as tied, and a tie goes to the one the
// heuristic ranks first: run-to-run timing noise then rarely changes the kernel (and so the
// last bit of a score) from one start to the next.
constexpr float kMinGain = 0.03f;

// Split-K sums each output in parts and adds the parts after; only algorithms that sum each
// output in one pass are timed, so every candidate keeps one summation order per kernel.
bool splits_k(const cublasLtMatmulAlgo_t& algo) {
  int split_k = 1;
  std::size_t written = 0;
  cublasLtMatmulAlgoConfigGetAttribute(&algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &split_k,
                                       sizeof(split_k), &written);
  return split_k > 1;
}

// Two events, destroyed with it.
struct EventPair {
  cudaEvent_t start = nullptr;
  cudaEvent_t stop = nullptr;
  bool ok = false;
  EventPair() {
    ok = cudaEventCreate(&start) == cudaSuccess && cudaEventCreate(&stop) == cudaSuccess;
  }
  ~EventPair() {
    if (start != nullptr) cudaEventDestroy(start);
    if (stop != nullptr) cudaEventDestroy(stop);
  }
  EventPair(const EventPair&) = delete;
  EventPair& operator=(const EventPair&) = delete;
};

}  // namespace

struct LtMatmul::Impl {
  cublasLtHandle_t handle = nullptr;
  DeviceDType dtype = DeviceDType::kFp16;
  std::int64_t out = 0;
  std::int64_t in = 0;
  LtEpilogue epilogue = LtEpilogue::kBias;
  DeviceBuffer parameters;  // weight [out, in], then (256-byte aligned) bias [out]
  const void* weight = nullptr;
  const void* bias = nullptr;
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t weight_layout = nullptr;  // A: column-major [in, out], ld = in
  cublasLtMatmulPreference_t preference = nullptr;

  // What one run() multiplies, where, and on which stream.
  struct Operands {
    const void* x = nullptr;
    void* y = nullptr;
    void* workspace = nullptr;
    cudaStream_t stream = nullptr;
  };

  std::shared_ptr<LtAlgoChoices> choices;  // shared by the model's LtMatmuls; may be null

  mutable std::mutex mutex;
  mutable std::unordered_map<std::int64_t, cublasLtMatmulAlgo_t> algos;  // by rows_bucket

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (preference != nullptr) cublasLtMatmulPreferenceDestroy(preference);
    if (weight_layout != nullptr) cublasLtMatrixLayoutDestroy(weight_layout);
    if (desc != nullptr) cublasLtMatmulDescDestroy(desc);
  }

  std::string shape_name(std::int64_t rows) const {
    return std::string(dtype_name(dtype)) + " [" + std::to_string(rows) + ", " +
           std::to_string(in) + "] x [" + std::to_string(in) + ", " + std::to_string(out) +
           "] with epilogue " + epilogue_name(epilogue);
  }

  // y = x W^T + b on `rows` rows with `algo`, enqueued on `stream`.
  cublasStatus_t launch(const cublasLtMatmulAlgo_t& algo, const Operands& operands,
                        std::int64_t rows) const {
    const cudaDataType_t type = cuda_type(dtype);
    cublasLtMatrixLayoutOpaque_t x_layout;
    cublasLtMatrixLayoutOpaque_t y_layout;
    if (!init_layout(x_layout, type, in, rows, in).ok() ||
        !init_layout(y_layout, type, out, rows, out).ok()) {
      return CUBLAS_STATUS_INVALID_VALUE;
    }
    const float alpha = 1.0f;
    const float beta = 0.0f;  // C is not read; it is given as D only because the API needs one
    return cublasLtMatmul(handle, desc, &alpha, weight, weight_layout, operands.x, &x_layout, &beta,
                          operands.y, &y_layout, operands.y, &y_layout, &algo, operands.workspace,
                          workspace_bytes(), operands.stream);
  }

  // Microseconds per run of `algo` on `operands` (the mean of kTimedRuns after one untimed), or
  // nullopt when cuBLASLt refuses it for them or timing fails. Writes y; the caller's run
  // writes it again after.
  std::optional<float> time_algo(const cublasLtMatmulAlgo_t& algo, const Operands& operands,
                                 std::int64_t rows) const {
    EventPair events;
    if (!events.ok || launch(algo, operands, rows) != CUBLAS_STATUS_SUCCESS) return std::nullopt;
    if (cudaEventRecord(events.start, operands.stream) != cudaSuccess) return std::nullopt;
    for (int run = 0; run < kTimedRuns; ++run) {
      if (launch(algo, operands, rows) != CUBLAS_STATUS_SUCCESS) return std::nullopt;
    }
    float ms = 0.0f;
    if (cudaEventRecord(events.stop, operands.stream) != cudaSuccess ||
        cudaEventSynchronize(events.stop) != cudaSuccess ||
        cudaEventElapsedTime(&ms, events.start, events.stop) != cudaSuccess) {
      return std::nullopt;
    }
    return 1000.0f * ms / kTimedRuns;
  }

  // Which of the heuristic's candidates to run: timed on `operands`, the first in the
  // heuristic's order within kMinGain of the fastest. nullopt when nothing was timed: `stream`
  // is being captured (nothing runs then) or the first candidate could not be timed.
  std::optional<std::size_t> fastest(std::span<const cublasLtMatmulHeuristicResult_t> candidates,
                                     const Operands& operands, std::int64_t rows) const {
    cudaStreamCaptureStatus capturing = cudaStreamCaptureStatusNone;
    if (cudaStreamIsCapturing(operands.stream, &capturing) != cudaSuccess) {
      // E.g. the legacy default stream while another stream captures: not an error of the
      // batch's, so it must not be left for the next launch check to find.
      cudaGetLastError();
      return std::nullopt;
    }
    if (capturing != cudaStreamCaptureStatusNone) return std::nullopt;
    std::vector<std::optional<float>> times(candidates.size());
    times.front() = time_algo(candidates.front().algo, operands, rows);
    if (!times.front()) {
      cudaGetLastError();  // a refused launch must not fail the next launch check
      return std::nullopt;
    }
    float best_us = *times.front();
    for (std::size_t i = 1; i < candidates.size(); ++i) {
      if (candidates[i].state != CUBLAS_STATUS_SUCCESS || splits_k(candidates[i].algo)) continue;
      times[i] = time_algo(candidates[i].algo, operands, rows);
      if (times[i]) best_us = std::min(best_us, *times[i]);
    }
    cudaGetLastError();
    std::size_t chosen = 0;
    while (!times[chosen] || *times[chosen] > best_us * (1.0f + kMinGain)) ++chosen;
    return chosen;
  }

  // The algorithm for `rows`, from the cache or, for a new bucket, from cuBLASLt's heuristic
  // for it: timed on `operands` when given (see kCandidates), else the heuristic's first.
  Result<cublasLtMatmulAlgo_t> algo_for(std::int64_t rows, const Operands* operands) const {
    const std::int64_t bucket = rows_bucket(rows);
    std::lock_guard lock(mutex);
    if (const auto found = algos.find(bucket); found != algos.end()) return found->second;

    const cudaDataType_t type = cuda_type(dtype);
    cublasLtMatrixLayoutOpaque_t x_layout;
    cublasLtMatrixLayoutOpaque_t y_layout;
    RERANKD_RETURN_IF_ERROR(init_layout(x_layout, type, in, bucket, in));
    RERANKD_RETURN_IF_ERROR(init_layout(y_layout, type, out, bucket, out));
    std::array<cublasLtMatmulHeuristicResult_t, kCandidates> results;
    std::memset(results.data(), 0, sizeof(results));
    int returned = 0;
    const cublasStatus_t status =
        cublasLtMatmulAlgoGetHeuristic(handle, desc, weight_layout, &x_layout, &y_layout, &y_layout,
                                       preference, kCandidates, results.data(), &returned);
    if (status == CUBLAS_STATUS_NOT_SUPPORTED ||
        (status == CUBLAS_STATUS_SUCCESS && returned == 0)) {
      return unimplemented("cuBLASLt has no algorithm for " + shape_name(bucket));
    }
    RERANKD_CUBLAS_RETURN_IF_ERROR(status,
                                   "cublasLtMatmulAlgoGetHeuristic for " + shape_name(bucket));
    RERANKD_CUBLAS_RETURN_IF_ERROR(results.front().state,
                                   "cuBLASLt heuristic result for " + shape_name(bucket));
    const std::span<const cublasLtMatmulHeuristicResult_t> candidates(
        results.data(), static_cast<std::size_t>(returned));
    // Another LtMatmul of this shape (another layer) may have timed this bucket already: the
    // same descriptors give the same candidates, so its winner's index serves here too.
    const LtAlgoChoices::Key key{
        .dtype = dtype, .out = out, .in = in, .epilogue = epilogue, .rows_bucket = bucket};
    std::optional<std::size_t> chosen = choices ? choices->find(key) : std::nullopt;
    if (!chosen && operands != nullptr) {
      chosen = fastest(candidates, *operands, rows);
      if (chosen && choices) choices->remember(key, *chosen);
    }
    const cublasLtMatmulAlgo_t algo =
        candidates[chosen && *chosen < candidates.size() ? *chosen : 0].algo;
    algos.emplace(bucket, algo);
    return algo;
  }
};

std::optional<std::size_t> LtAlgoChoices::find(const Key& key) const {
  std::lock_guard lock(mutex_);
  const auto found = winners_.find(key);
  if (found == winners_.end()) return std::nullopt;
  return found->second;
}

void LtAlgoChoices::remember(const Key& key, std::size_t candidate) {
  std::lock_guard lock(mutex_);
  winners_.emplace(key, candidate);
}

Result<LtMatmul> LtMatmul::create(cublasLtHandle_t handle, DeviceDType dtype,
                                  std::span<const float> weight, std::span<const float> bias,
                                  std::int64_t out, std::int64_t in, LtEpilogue epilogue,
                                  std::shared_ptr<LtAlgoChoices> choices) {
  if (handle == nullptr) return invalid_argument("LtMatmul: no cuBLASLt handle");
  if (out <= 0 || in <= 0) {
    return invalid_argument("LtMatmul: bad shape [" + std::to_string(out) + ", " +
                            std::to_string(in) + "]");
  }
  if (weight.size() != static_cast<std::size_t>(out * in) ||
      bias.size() != static_cast<std::size_t>(out)) {
    return invalid_argument("LtMatmul: weight has " + std::to_string(weight.size()) +
                            " values and bias " + std::to_string(bias.size()) + " for [" +
                            std::to_string(out) + ", " + std::to_string(in) + "]");
  }
  auto impl = std::make_unique<Impl>();
  impl->handle = handle;
  impl->dtype = dtype;
  impl->out = out;
  impl->in = in;
  impl->epilogue = epilogue;
  impl->choices = std::move(choices);

  // Weight and bias in one allocation and one copy, the bias at a 256-byte boundary.
  const std::size_t weight_bytes = weight.size() * sizeof(std::uint16_t);
  const std::size_t bias_offset = (weight_bytes + kAlignment - 1) / kAlignment * kAlignment;
  const std::size_t total = bias_offset + bias.size() * sizeof(std::uint16_t);
  std::vector<std::byte> host(total);
  const auto weight_bits = to_device_bits(weight, dtype);
  const auto bias_bits = to_device_bits(bias, dtype);
  std::memcpy(host.data(), weight_bits.data(), weight_bytes);
  std::memcpy(host.data() + bias_offset, bias_bits.data(),
              bias_bits.size() * sizeof(std::uint16_t));
  RERANKD_RETURN_IF_ERROR(impl->parameters.reserve(total));
  RERANKD_CUDA_RETURN_IF_ERROR(
      cudaMemcpy(impl->parameters.data(), host.data(), total, cudaMemcpyHostToDevice),
      "LtMatmul: copying a [" + std::to_string(out) + ", " + std::to_string(in) + "] weight");
  auto* base = static_cast<std::byte*>(impl->parameters.data());
  impl->weight = base;
  impl->bias = base + bias_offset;

  // fp32 accumulation and fp32 alpha/beta (host pointers, the default pointer mode) whatever
  // the 16-bit storage type.
  RERANKD_CUBLAS_RETURN_IF_ERROR(
      cublasLtMatmulDescCreate(&impl->desc, CUBLAS_COMPUTE_32F, CUDA_R_32F),
      "cublasLtMatmulDescCreate");
  const cublasOperation_t transpose = CUBLAS_OP_T;
  const cublasOperation_t no_transpose = CUBLAS_OP_N;
  const cublasLtEpilogue_t lt = lt_epilogue(epilogue);
  const void* bias_pointer = impl->bias;
  RERANKD_CUBLAS_RETURN_IF_ERROR(
      cublasLtMatmulDescSetAttribute(impl->desc, CUBLASLT_MATMUL_DESC_TRANSA, &transpose,
                                     sizeof(transpose)),
      "setting CUBLASLT_MATMUL_DESC_TRANSA");
  RERANKD_CUBLAS_RETURN_IF_ERROR(
      cublasLtMatmulDescSetAttribute(impl->desc, CUBLASLT_MATMUL_DESC_TRANSB, &no_transpose,
                                     sizeof(no_transpose)),
      "setting CUBLASLT_MATMUL_DESC_TRANSB");
  RERANKD_CUBLAS_RETURN_IF_ERROR(
      cublasLtMatmulDescSetAttribute(impl->desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &lt, sizeof(lt)),
      "setting CUBLASLT_MATMUL_DESC_EPILOGUE");
  // Set before the heuristic runs: it reads the pointer's alignment.
  RERANKD_CUBLAS_RETURN_IF_ERROR(
      cublasLtMatmulDescSetAttribute(impl->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias_pointer,
                                     sizeof(bias_pointer)),
      "setting CUBLASLT_MATMUL_DESC_BIAS_POINTER");

  RERANKD_CUBLAS_RETURN_IF_ERROR(cublasLtMatrixLayoutCreate(&impl->weight_layout, cuda_type(dtype),
                                                            static_cast<std::uint64_t>(in),
                                                            static_cast<std::uint64_t>(out), in),
                                 "cublasLtMatrixLayoutCreate");
  RERANKD_CUBLAS_RETURN_IF_ERROR(cublasLtMatmulPreferenceCreate(&impl->preference),
                                 "cublasLtMatmulPreferenceCreate");
  const std::uint64_t max_workspace = workspace_bytes();
  RERANKD_CUBLAS_RETURN_IF_ERROR(cublasLtMatmulPreferenceSetAttribute(
                                     impl->preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                     &max_workspace, sizeof(max_workspace)),
                                 "setting CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES");

  // Ask once now, for a typical packed batch, so that a dtype/epilogue cuBLASLt cannot run is
  // Unimplemented at load rather than on the first request (and that bucket is warm).
  constexpr std::int64_t kProbeRows = 512;
  auto probe = impl->algo_for(kProbeRows, nullptr);
  if (!probe.ok()) return std::move(probe).status();
  return LtMatmul(std::move(impl));
}

LtMatmul::LtMatmul(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LtMatmul::LtMatmul(LtMatmul&&) noexcept = default;
LtMatmul& LtMatmul::operator=(LtMatmul&&) noexcept = default;
LtMatmul::~LtMatmul() = default;

std::int64_t LtMatmul::in() const { return impl_->in; }
std::int64_t LtMatmul::out() const { return impl_->out; }

Status LtMatmul::run(const void* x, std::int64_t rows, void* y, void* workspace,
                     cudaStream_t stream) const {
  if (rows < 0) return invalid_argument("LtMatmul: negative row count " + std::to_string(rows));
  if (rows == 0) return Status::ok_status();
  if (x == nullptr || y == nullptr || workspace == nullptr) {
    return invalid_argument("LtMatmul: null input, output or workspace pointer");
  }
  if (reinterpret_cast<std::uintptr_t>(x) % kAlignment != 0 ||
      reinterpret_cast<std::uintptr_t>(y) % kAlignment != 0) {
    return invalid_argument("LtMatmul: input and output must be 256-byte aligned");
  }
  const Impl::Operands operands{.x = x, .y = y, .workspace = workspace, .stream = stream};
  RERANKD_ASSIGN_OR_RETURN(const cublasLtMatmulAlgo_t algo, impl_->algo_for(rows, &operands));
  const cublasStatus_t status = impl_->launch(algo, operands, rows);
  // The message is built only on failure: this is the hot path.
  if (status != CUBLAS_STATUS_SUCCESS) {
    return cublas_status(status, "cublasLtMatmul " + impl_->shape_name(rows));
  }
  return Status::ok_status();
}

}  // namespace rerankd::backend::cuda
