// y = act(x W^T + b) on packed token rows through a oneDNN matmul primitive, with W reordered
// once into the layout the primitive prefers. oneDNN stays behind a pimpl: only matmul.cc
// includes its headers (STYLE.md, rule 1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "common/result.h"

namespace rerankd::backend::cpu {

// The elementwise function fused into the matmul's output (a oneDNN post-op).
enum class Epilogue {
  kNone,
  kGeluErf,   // BERT's "gelu" (HF GELUActivation)
  kGeluTanh,  // "gelu_new" and friends (HF NewGELUActivation)
  kRelu,
  kTanh,  // BertPooler
};

// Immutable after create; run() may be called from one thread at a time (it uses this object's
// oneDNN stream).
class Matmul {
 public:
  // weight is [out, in] row-major as PyTorch stores it; bias is [out]. Both are copied (into
  // oneDNN's preferred weight layout), so the caller may free them afterwards. Internal when
  // oneDNN refuses the shape.
  static Result<Matmul> create(std::span<const float> weight, std::span<const float> bias,
                               std::int64_t out, std::int64_t in, Epilogue epilogue);

  Matmul(Matmul&&) noexcept;
  Matmul& operator=(Matmul&&) noexcept;
  ~Matmul();

  // x is [rows, in] and y is [rows, out], row-major, rows >= 1; y must not alias x. scratchpad
  // holds at least scratchpad_bytes() bytes (the backend's arena), so oneDNN allocates none.
  // Throws dnnl::error on a oneDNN failure; the backend turns it into a Status.
  void run(const float* x, std::int64_t rows, float* y, void* scratchpad) const;

  std::size_t scratchpad_bytes() const;
  std::int64_t in() const;
  std::int64_t out() const;
  // oneDNN's implementation name, e.g. "gemm:jit" or "brg:avx512_core" (for logs and tests).
  const char* implementation() const;

 private:
  struct Impl;
  explicit Matmul(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rerankd::backend::cpu
