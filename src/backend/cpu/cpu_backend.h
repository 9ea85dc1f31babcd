// The fast CPU backend (issue 5): oneDNN GEMMs on packed tokens, padding-free attention, fused
// LayerNorms. This header is all the factory sees; oneDNN stays inside src/backend/cpu/.
#pragma once

#include <memory>

#include "backend/backend.h"

namespace rerankd::backend::cpu {

// dtypes this build of the cpu backend runs (bf16 and int8 come later).
inline constexpr const char* kCpuDtypes = "fp32";

// Not thread-safe, as every Backend: one thread drives it. run() uses `threads` OpenMP threads
// (0 = one per hardware thread). InvalidArgument for a null model or negative threads;
// Unimplemented for a dtype other than fp32; FailedPrecondition when the weights do not match
// the config.
Result<std::unique_ptr<Backend>> create_cpu_backend(const BackendOptions& options,
                                                    std::shared_ptr<const model::BertModel> model);

}  // namespace rerankd::backend::cpu
