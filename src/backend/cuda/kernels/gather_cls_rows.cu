// The [CLS] row of each packed pair copied into a compact [pairs, width] block, for the last
// encoder layer: past its attention only those rows reach the classifier head, so its dense
// layers, LayerNorms and feed-forward run on one row a pair instead of every token.
#include "backend/cuda/kernels.h"

namespace rerankd::backend::cuda {
namespace {

constexpr int kGatherThreads = 128;

// One block a pair; a bit copy, so one kernel serves fp16 and bf16.
__global__ void __launch_bounds__(kGatherThreads)
    gather_cls_rows_kernel(const std::uint16_t* __restrict__ x,
                           const std::int32_t* __restrict__ cu_seqlens, int width,
                           std::uint16_t* __restrict__ out) {
  const int pair = blockIdx.x;
  const std::uint16_t* row = x + static_cast<std::int64_t>(cu_seqlens[pair]) * width;
  std::uint16_t* compact = out + static_cast<std::int64_t>(pair) * width;
  for (int k = threadIdx.x; k < width; k += blockDim.x) compact[k] = row[k];
}

}  // namespace

cudaError_t launch_gather_cls_rows(const void* x, const std::int32_t* cu_seqlens, int num_pairs,
                                   int width, void* out, cudaStream_t stream) {
  if (num_pairs < 0 || width <= 0 || x == nullptr || cu_seqlens == nullptr || out == nullptr) {
    return cudaErrorInvalidValue;
  }
  if (num_pairs == 0) return cudaSuccess;  // an empty grid is a launch error; nothing to do
  gather_cls_rows_kernel<<<static_cast<unsigned>(num_pairs), kGatherThreads, 0, stream>>>(
      static_cast<const std::uint16_t*>(x), cu_seqlens, width, static_cast<std::uint16_t*>(out));
  return cudaGetLastError();
}

}  // namespace rerankd::backend::cuda
