// The CUDA backend (issue 6): fp16/bf16 BERT cross-encoder on one GPU, padding-free. Built when
// CMake finds nvcc (RERANKD_WITH_CUDA); nothing outside src/backend/cuda includes a CUDA header
// except through this folder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "backend/backend.h"

namespace rerankd::backend::cuda {

inline constexpr const char* kCudaDtypes = "fp16, bf16";

// options.device picks the GPU; options.dtype is fp16 or bf16 (fp32 is Unimplemented, naming
// these). FailedPrecondition when no GPU is visible or the device index is out of range, naming
// how many there are. Checked in that order, before the model (InvalidArgument when null), so
// create_cuda_backend(options, nullptr) probes whether this machine can run the backend.
Result<std::unique_ptr<Backend>> create_cuda_backend(const BackendOptions& options,
                                                     std::shared_ptr<const model::BertModel> model);

// CUDA graphs, on by default: each batch is padded to a bucket (graph_shape.h: tokens, pairs
// and longest pair rounded up; padding rows and zero-length pairs whose logits are dropped) and
// runs as one cudaGraphLaunch of the forward pass captured for that bucket, copies included.
// A bucket's first batch runs eagerly and is then captured; later ones replay. At most
// kMaxCudaGraphs are kept (further buckets run eagerly), and all are dropped when the activation
// arena has to grow. Setting the environment variable RERANKD_CUDA_GRAPHS to 0 (or off, false),
// read once when the backend is created, runs every batch eagerly at its exact size instead,
// so graphs can be A/B-compared in one process.
inline constexpr const char* kCudaGraphsEnv = "RERANKD_CUDA_GRAPHS";
inline constexpr std::size_t kMaxCudaGraphs = 64;

// What the graph path has done so far, for tests and benchmarks.
struct CudaGraphStats {
  bool enabled = false;          // graphs on (the environment) and no capture has failed
  std::string disabled_reason;   // why not, when !enabled
  std::size_t cached = 0;        // graphs held now
  std::uint64_t captures = 0;    // graphs captured (again after the arena grew)
  std::uint64_t replays = 0;     // batches run by cudaGraphLaunch
  std::uint64_t eager_runs = 0;  // batches run by enqueuing each kernel (a bucket's first too)
};

// nullopt when `backend` is not a cuda backend.
std::optional<CudaGraphStats> cuda_graph_stats(const Backend& backend);

}  // namespace rerankd::backend::cuda
