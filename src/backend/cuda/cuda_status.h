// CUDA runtime and cuBLAS(Lt) error codes as rerankd Statuses, naming what was being done.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include <string_view>

#include "common/status.h"

namespace rerankd::backend::cuda {

// Ok for cudaSuccess; otherwise Internal (ResourceExhausted for cudaErrorMemoryAllocation)
// with "<what>: <cudaGetErrorName>: <cudaGetErrorString>".
Status cuda_status(cudaError_t error, std::string_view what);
// Ok for CUBLAS_STATUS_SUCCESS; otherwise Internal (ResourceExhausted for ALLOC_FAILED).
Status cublas_status(cublasStatus_t status, std::string_view what);

}  // namespace rerankd::backend::cuda

#define RERANKD_CUDA_RETURN_IF_ERROR(expr, what) \
  RERANKD_RETURN_IF_ERROR(::rerankd::backend::cuda::cuda_status((expr), (what)))
#define RERANKD_CUBLAS_RETURN_IF_ERROR(expr, what) \
  RERANKD_RETURN_IF_ERROR(::rerankd::backend::cuda::cublas_status((expr), (what)))
