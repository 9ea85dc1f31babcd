// y = act(x W^T + b) on packed token rows through oneDNN matmul primitives, with W reordered
// once into the layout the primitives prefer, in fp32, bf16 or int8. oneDNN stays behind a
// pimpl: only matmul.cc includes its headers (STYLE.md, rule 1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "common/result.h"
#include "common/status.h"

namespace rerankd::backend::cpu {

// The elementwise function fused into the matmul's output (a oneDNN post-op).
enum class Epilogue {
  kNone,
  kGeluErf,   // BERT's "gelu" (HF GELUActivation)
  kGeluTanh,  // "gelu_new" and friends (HF NewGELUActivation)
  kRelu,
  kTanh,  // BertPooler
};

// The arithmetic of the GEMM; x, y, bias and the epilogue are fp32 in every case.
enum class Precision {
  kFp32,
  // W stored as bf16, x converted to bf16 per run, fp32 accumulation (needs AVX-512).
  kBf16,
  // W quantised at load per output channel (symmetric s8), x per row at run time (u8 with a
  // zero point per row, see quantize.h), s32 accumulation; oneDNN applies the column scales,
  // our own loop the row scale, zero point, bias and activation. Without VNNI, W keeps 7 bits
  // (+-63): the u8 x s8 pair sums of vpmaddubsw saturate at 16 bits otherwise.
  kInt8,
};

const char* precision_name(Precision precision);

// OK when this CPU runs `precision`; Unimplemented naming the reason otherwise, e.g.
// "cpu backend: bf16 needs AVX-512 (oneDNN sees avx2); available here: fp32, int8".
Status check_precision(Precision precision);

// The ISA oneDNN dispatches to on this CPU, e.g. "avx2" or "avx512_core_vnni".
const char* cpu_isa_name();

// Largest |q| of the int8 weights on this CPU: 127 with VNNI, 63 without (see kInt8).
int int8_weight_levels();

// The row counts of the fixed-shape primitives each Matmul builds (see Matmul). oneDNN 2.6 runs
// its brgemm kernels (AMX, VNNI, AVX512_BF16) only for shapes known at creation; with a runtime
// row count it falls back to gemm:jit, which measured no faster in bf16 than in fp32 and slower
// in int8 on a Sapphire Rapids host. Rows are split greedily over these, largest first; a tail
// under the smallest is padded to it (at most 15 wasted rows). Four sizes keep load time short
// (one primitive per size and weight) while even a single pair avoids large padding.
inline constexpr std::int64_t kChunkRows[] = {1024, 256, 64, 16};

struct QuantizedRows;  // quantize.h

// Immutable after create. run() outside a parallel region shares the GEMM among the team's
// threads; inside an OpenMP parallel region it runs on the calling thread alone, so several
// threads may run one Matmul at once, each on its own rows and scratchpad (the backend's pair
// groups).
class Matmul {
 public:
  // weight is [out, in] row-major as PyTorch stores it; bias is [out]. Both are copied (into
  // oneDNN's preferred weight layout), so the caller may free them afterwards. Internal when
  // oneDNN refuses the shape, Unimplemented when this CPU cannot run `precision`.
  // chunk_rows: the row counts of the fixed-shape primitives, all sharing one reordered weight
  // buffer; a size oneDNN refuses is dropped. Empty (or all refused): one primitive with a
  // runtime row count serves every batch instead.
  // threads: the team run() shares a GEMM with outside a parallel region (oneDNN fixes a
  // primitive's thread count when it is made); 0 takes the calling thread's OpenMP count.
  static Result<Matmul> create(std::span<const float> weight, std::span<const float> bias,
                               std::int64_t out, std::int64_t in, Epilogue epilogue,
                               Precision precision = Precision::kFp32,
                               std::span<const std::int64_t> chunk_rows = kChunkRows,
                               int threads = 0);

  Matmul(Matmul&&) noexcept;
  Matmul& operator=(Matmul&&) noexcept;
  ~Matmul();

  // x is [rows, in] and y is [rows, out], row-major, rows >= 1; y must not alias x. scratchpad
  // is 64-byte aligned and holds at least scratch_bytes(rows) bytes (the backend's arena), so
  // neither oneDNN nor we allocate. Runs the fixed-shape primitives on consecutive row ranges
  // (rows are independent), the tail through a padded staging buffer in the scratchpad. Throws
  // dnnl::error on a oneDNN failure; the backend turns it into a Status.
  //
  // int8 only: with `quantized_y`, the output rows are quantised into it (quantize_rows' format)
  // as soon as their chunk is done, for the next int8 GEMM's run_quantized, and y is only
  // scratch (it holds the raw accumulators afterwards).
  // Throws std::logic_error inside a parallel region when !runs_in_parallel_regions().
  void run(const float* x, std::int64_t rows, float* y, void* scratchpad,
           const QuantizedRows* quantized_y = nullptr) const;

  // int8 only: run() on input that is already quantised (quantize_rows' format), e.g. by the
  // LayerNorm or GEMM that wrote it. x.levels must hold padded_rows(rows) rows, those past
  // `rows` all zero: the last chunk reads them.
  void run_quantized(const QuantizedRows& x, std::int64_t rows, float* y, void* scratchpad,
                     const QuantizedRows* quantized_y = nullptr) const;

  // rows rounded up to the smallest chunk: the rows a chunked run touches.
  std::int64_t padded_rows(std::int64_t rows) const;

  // The scratch run() needs whatever the row count: the largest oneDNN scratchpad of the
  // primitives plus the staging rows of the padded tail.
  std::size_t scratchpad_bytes() const;
  // All run() needs for `rows` rows: scratchpad_bytes() plus, for bf16 and int8, the converted
  // activations (and int8's row scales). Equals scratchpad_bytes() for fp32.
  std::size_t scratch_bytes(std::int64_t rows) const;
  Precision precision() const;
  std::int64_t in() const;
  std::int64_t out() const;
  // oneDNN's implementation names with the row counts they serve, e.g.
  // "brg:avx512_core_amx (M=1024,256,64,16)" or "gemm:jit (runtime M)" (for logs and tests).
  const char* implementation() const;
  // The row counts of the fixed-shape primitives, largest first; empty when one runtime-M
  // primitive serves every batch.
  std::span<const std::int64_t> chunk_rows() const;
  // The threads a run() outside a parallel region uses.
  int team_threads() const;
  // Whether run() works inside a parallel region: oneDNN made the one-thread primitives (it
  // refuses none on the CPUs measured).
  bool runs_in_parallel_regions() const;

 private:
  struct Impl;
  explicit Matmul(std::unique_ptr<Impl> impl);
  // run() and run_quantized(): x (fp32) or quantized_x (int8 levels), whichever is not null.
  void run_chunks(const float* x, const QuantizedRows* quantized_x, std::int64_t rows, float* y,
                  void* scratchpad, const QuantizedRows* quantized_y) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rerankd::backend::cpu
