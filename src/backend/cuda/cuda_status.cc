#include "backend/cuda/cuda_status.h"

#include <string>

namespace rerankd::backend::cuda {

Status cuda_status(cudaError_t error, std::string_view what) {
  if (error == cudaSuccess) return Status::ok_status();
  const StatusCode code =
      error == cudaErrorMemoryAllocation ? StatusCode::kResourceExhausted : StatusCode::kInternal;
  return Status(
      code, std::string(what) + ": " + cudaGetErrorName(error) + ": " + cudaGetErrorString(error));
}

Status cublas_status(cublasStatus_t status, std::string_view what) {
  if (status == CUBLAS_STATUS_SUCCESS) return Status::ok_status();
  const StatusCode code =
      status == CUBLAS_STATUS_ALLOC_FAILED ? StatusCode::kResourceExhausted : StatusCode::kInternal;
  // cublasLtGetStatusName/String live in cublasLt itself, so no cublas (non-Lt) link is needed.
  return Status(code, std::string(what) + ": " + cublasLtGetStatusName(status) + ": " +
                          cublasLtGetStatusString(status));
}

}  // namespace rerankd::backend::cuda
