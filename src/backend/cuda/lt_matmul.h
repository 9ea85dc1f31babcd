// y = epilogue(x W^T + b) on packed token rows through cuBLASLt, in fp16 or bf16 with fp32
// accumulation; bias and GELU run as cuBLASLt epilogues (no separate kernel, no extra pass).
#pragma once

#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>

#include "backend/cuda/device_dtype.h"
#include "common/result.h"

namespace rerankd::backend::cuda {

// An owned cuBLASLt handle, bound to the device current when it was created.
struct LtHandleDeleter {
  void operator()(cublasLtHandle_t handle) const;
};
using LtHandle = std::unique_ptr<cublasLtContext, LtHandleDeleter>;
Result<LtHandle> create_lt_handle();

enum class LtEpilogue {
  kBias,          // y = x W^T + b
  kBiasGeluErf,   // BERT's "gelu"; cuBLASLt's GELU is the tanh form, see lt_matmul.cc
  kBiasGeluTanh,  // "gelu_new"
  kBiasRelu,
};

// Which of cuBLASLt's candidate algorithms won the timing (see lt_matmul.cc), per GEMM shape
// and row bucket: shared by the LtMatmuls of one model, whose layers repeat the same shapes, so
// one timing serves every layer. Thread-safe.
class LtAlgoChoices {
 public:
  struct Key {
    DeviceDType dtype = DeviceDType::kFp16;
    std::int64_t out = 0;
    std::int64_t in = 0;
    LtEpilogue epilogue = LtEpilogue::kBias;
    std::int64_t rows_bucket = 0;
    auto operator<=>(const Key&) const = default;
  };
  // The winner's index in the heuristic's list of candidates, if timed.
  std::optional<std::size_t> find(const Key& key) const;
  void remember(const Key& key, std::size_t candidate);

 private:
  mutable std::mutex mutex_;
  std::map<Key, std::size_t> winners_;
};

// Immutable after create apart from a mutex-guarded cache of the algorithm chosen per row-count
// bucket; run() may be called concurrently only on different streams with different
// workspaces. The handle must outlive the LtMatmul.
class LtMatmul {
 public:
  // weight is [out, in] fp32 on the host (PyTorch's layout), bias [out]; both are converted to
  // `dtype` and copied to the device. Unimplemented when cuBLASLt cannot run the epilogue.
  // `choices`, when given, shares the timed algorithm choices with the model's other LtMatmuls.
  static Result<LtMatmul> create(cublasLtHandle_t handle, DeviceDType dtype,
                                 std::span<const float> weight, std::span<const float> bias,
                                 std::int64_t out, std::int64_t in, LtEpilogue epilogue,
                                 std::shared_ptr<LtAlgoChoices> choices = nullptr);

  LtMatmul(LtMatmul&&) noexcept;
  LtMatmul& operator=(LtMatmul&&) noexcept;
  ~LtMatmul();

  // x is [rows, in] and y [rows, out], row-major, in `dtype`, on the device, not overlapping,
  // each 256-byte aligned (cuBLASLt's default alignment assumption; InvalidArgument otherwise).
  // workspace is device scratch of workspace_bytes(). Asynchronous on `stream`, with no
  // allocation and no synchronization, so it can be captured into a CUDA graph, except on the
  // first call for a new row-count bucket outside a capture: that one also times cuBLASLt's
  // candidates on this call's operands (running the GEMM several times and waiting for them: a
  // few milliseconds, once per bucket and shape) before it runs the one chosen.
  Status run(const void* x, std::int64_t rows, void* y, void* workspace, cudaStream_t stream) const;

  static constexpr std::size_t workspace_bytes() { return std::size_t{32} << 20; }
  std::int64_t in() const;
  std::int64_t out() const;

 private:
  struct Impl;
  explicit LtMatmul(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rerankd::backend::cuda
