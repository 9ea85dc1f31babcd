// BertPooler + the classifier of BertForSequenceClassification (Hugging Face transformers'
// modeling_bert.py: pooled = tanh(dense(hidden[:, 0])), logits = classifier(pooled); dropout is
// the identity at inference), on the [CLS] row of each packed pair, with fp32 weights.
#include "backend/cuda/kernels.h"
#include "backend/cuda/kernels/dtype_traits.cuh"

namespace rerankd::backend::cuda {
namespace {

constexpr int kHeadThreads = 256;
// Pairs per block: each weight row read from L2 serves this many pairs.
constexpr int kHeadPairs = 4;
// [CLS] rows and pooled rows of kHeadPairs pairs in fp32 must fit 48 KB of shared memory.
constexpr int kMaxHeadWidth = (48 * 1024) / (2 * kHeadPairs * static_cast<int>(sizeof(float)));

// out[p][o] = sum_k weight[o][k] * in[p][k] + bias[o] for the block's pairs, one warp per output
// o at a time; `in` is [kHeadPairs][width] in shared memory. Returns the sums in lane 0.
__device__ __forceinline__ void dense_rows(const float* __restrict__ weight, const float* in,
                                           int width, int o, float (&acc)[kHeadPairs]) {
  const int lane = threadIdx.x % 32;
  const float* weight_row = weight + static_cast<std::int64_t>(o) * width;
#pragma unroll
  for (int p = 0; p < kHeadPairs; ++p) acc[p] = 0.0f;
  for (int k = lane; k < width; k += 32) {
    const float w = weight_row[k];
#pragma unroll
    for (int p = 0; p < kHeadPairs; ++p) acc[p] += w * in[p * width + k];
  }
#pragma unroll
  for (int p = 0; p < kHeadPairs; ++p) acc[p] = detail::warp_sum(acc[p]);
}

template <typename T>
__global__ void __launch_bounds__(kHeadThreads)
    classifier_head_kernel(const T* __restrict__ hidden,
                           const std::int32_t* __restrict__ cu_seqlens, int num_pairs,
                           const float* __restrict__ pooler_weight,
                           const float* __restrict__ pooler_bias,
                           const float* __restrict__ classifier_weight,
                           const float* __restrict__ classifier_bias, int width, int num_labels,
                           float* __restrict__ logits) {
  extern __shared__ float head_smem[];
  float* cls = head_smem;                          // [kHeadPairs][width]
  float* pooled = head_smem + kHeadPairs * width;  // [kHeadPairs][width]
  const int first = blockIdx.x * kHeadPairs;
  const int pairs = min(kHeadPairs, num_pairs - first);
  for (int i = threadIdx.x; i < kHeadPairs * width; i += blockDim.x) {
    const int p = i / width;
    const int k = i % width;
    if (p >= pairs) {
      cls[i] = 0.0f;
      continue;
    }
    const std::int64_t row = cu_seqlens != nullptr ? cu_seqlens[first + p] : first + p;
    cls[i] = detail::DTypeTraits<T>::to_float(hidden[row * width + k]);
  }
  __syncthreads();
  const int lane = threadIdx.x % 32;
  const int warp = threadIdx.x / 32;
  const int warps = blockDim.x / 32;
  float acc[kHeadPairs];
  for (int o = warp; o < width; o += warps) {
    dense_rows(pooler_weight, cls, width, o, acc);
    if (lane == 0) {
#pragma unroll
      for (int p = 0; p < kHeadPairs; ++p) pooled[p * width + o] = tanhf(acc[p] + pooler_bias[o]);
    }
  }
  __syncthreads();
  for (int o = warp; o < num_labels; o += warps) {
    dense_rows(classifier_weight, pooled, width, o, acc);
    if (lane == 0) {
      for (int p = 0; p < pairs; ++p) {
        logits[static_cast<std::int64_t>(first + p) * num_labels + o] = acc[p] + classifier_bias[o];
      }
    }
  }
}

}  // namespace

cudaError_t launch_classifier_head(DeviceDType dtype, const void* hidden,
                                   const std::int32_t* cu_seqlens, int num_pairs,
                                   const DeviceClassifierHead& head, float* logits,
                                   cudaStream_t stream) {
  if (num_pairs < 0 || head.width <= 0 || head.width > kMaxHeadWidth || head.num_labels <= 0 ||
      head.pooler_weight == nullptr || head.pooler_bias == nullptr ||
      head.classifier_weight == nullptr || head.classifier_bias == nullptr) {
    return cudaErrorInvalidValue;
  }
  if (num_pairs == 0) return cudaSuccess;  // an empty grid is a launch error; nothing to do
  const unsigned blocks = static_cast<unsigned>((num_pairs + kHeadPairs - 1) / kHeadPairs);
  const size_t smem = 2 * kHeadPairs * static_cast<size_t>(head.width) * sizeof(float);
  return detail::dispatch_dtype(dtype, [&](auto tag) -> cudaError_t {
    using T = typename decltype(tag)::type;
    classifier_head_kernel<T><<<blocks, kHeadThreads, smem, stream>>>(
        static_cast<const T*>(hidden), cu_seqlens, num_pairs, head.pooler_weight, head.pooler_bias,
        head.classifier_weight, head.classifier_bias, head.width, head.num_labels, logits);
    return cudaGetLastError();
  });
}

}  // namespace rerankd::backend::cuda
