// The fast CPU backend (issue 5): oneDNN GEMMs on packed tokens, padding-free attention, fused
// LayerNorms. This header is all the factory sees; oneDNN stays inside src/backend/cpu/.
#pragma once

#include <memory>

#include "backend/backend.h"

namespace rerankd::backend::cpu {

// dtypes this build of the cpu backend runs. bf16 also needs a CPU with AVX-512 (oneDNN 2.6 has
// no AVX2 bf16 matmul): create_cpu_backend says so where it is missing.
inline constexpr const char* kCpuDtypes = "fp32, bf16, int8";

// Not thread-safe, as every Backend: one thread drives it. run() uses `threads` OpenMP threads
// (0 = one per hardware thread). dtype fp32, bf16 or int8 (the encoder layers' GEMMs; see
// Precision in matmul.h). InvalidArgument for a null model or negative threads; Unimplemented
// for another dtype, or bf16 on a CPU without AVX-512 (the message names the ISA and what runs
// here); FailedPrecondition when the weights do not match the config.
Result<std::unique_ptr<Backend>> create_cpu_backend(const BackendOptions& options,
                                                    std::shared_ptr<const model::BertModel> model);

}  // namespace rerankd::backend::cpu
