// The CUDA backend (issue 6): fp16/bf16 BERT cross-encoder on one GPU, padding-free. Built when
// CMake finds nvcc (RERANKD_WITH_CUDA); nothing outside src/backend/cuda includes a CUDA header
// except through this folder.
#pragma once

#include <memory>

#include "backend/backend.h"

namespace rerankd::backend::cuda {

inline constexpr const char* kCudaDtypes = "fp16, bf16";

// options.device picks the GPU; options.dtype is fp16 or bf16 (fp32 is Unimplemented, naming
// these). FailedPrecondition when no GPU is visible or the device index is out of range, naming
// how many there are. Checked in that order, before the model (InvalidArgument when null), so
// create_cuda_backend(options, nullptr) probes whether this machine can run the backend.
Result<std::unique_ptr<Backend>> create_cuda_backend(const BackendOptions& options,
                                                     std::shared_ptr<const model::BertModel> model);

}  // namespace rerankd::backend::cuda
