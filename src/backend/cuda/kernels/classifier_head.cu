// BertPooler + the classifier of BertForSequenceClassification (Hugging Face transformers'
// modeling_bert.py: pooled = tanh(dense(hidden[:, 0])), logits = classifier(pooled); dropout is
// the identity at inference), on the [CLS] row of each packed pair, with fp32 weights.
#include "backend/cuda/kernels.h"
#include "backend/cuda/kernels/dtype_traits.cuh"

namespace rerankd::backend::cuda {
namespace {

// The pooler is a [pairs, width] x [width, width] product too small for a GEMM library to fill
// the GPU with, and one block per few pairs looping over every output (as this kernel first did)
// left most SMs idle: 64 us for batch 256 on an H200, 4.4% of the MiniLM-L6 forward (issue 20's
// profile). So blocks tile pairs x outputs, each warp keeps several weight rows in flight, and
// the classifier runs after, one warp per (pair, label). Each sum keeps the order the first
// kernel used (lane l adds k = l, l + 32, ..., then a butterfly over the lanes).
constexpr int kHeadThreads = 256;
constexpr int kHeadWarps = kHeadThreads / 32;
// Pairs per block: each weight value read from L2 serves this many pairs.
constexpr int kPoolPairs = 8;
// Pooler outputs per warp, their weight rows read side by side, and so per block.
constexpr int kOutputsPerWarp = 4;
constexpr int kPoolOutputs = kHeadWarps * kOutputsPerWarp;
// The [CLS] rows of kPoolPairs pairs in fp32 must fit 48 KB of shared memory.
constexpr int kMaxHeadWidth = (48 * 1024) / (kPoolPairs * static_cast<int>(sizeof(float)));

// pooled[p][o] = tanh(sum_k weight[o][k] * cls[p][k] + bias[o]) for the block's kPoolPairs pairs
// and kPoolOutputs outputs.
template <typename T>
__global__ void __launch_bounds__(kHeadThreads)
    pooler_kernel(const T* __restrict__ hidden, const std::int32_t* __restrict__ cu_seqlens,
                  int num_pairs, const float* __restrict__ weight, const float* __restrict__ bias,
                  int width, float* __restrict__ pooled) {
  extern __shared__ float cls[];  // [kPoolPairs][width]
  const int first = blockIdx.x * kPoolPairs;
  const int pairs = min(kPoolPairs, num_pairs - first);
  for (int i = threadIdx.x; i < kPoolPairs * width; i += blockDim.x) {
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
  const int first_output = blockIdx.y * kPoolOutputs + warp * kOutputsPerWarp;
  float acc[kOutputsPerWarp][kPoolPairs];
#pragma unroll
  for (int j = 0; j < kOutputsPerWarp; ++j) {
#pragma unroll
    for (int p = 0; p < kPoolPairs; ++p) acc[j][p] = 0.0f;
  }
  for (int k = lane; k < width; k += 32) {
    float w[kOutputsPerWarp];
#pragma unroll
    for (int j = 0; j < kOutputsPerWarp; ++j) {
      const int o = first_output + j;
      w[j] = o < width ? weight[static_cast<std::int64_t>(o) * width + k] : 0.0f;
    }
#pragma unroll
    for (int p = 0; p < kPoolPairs; ++p) {
      const float x = cls[p * width + k];
#pragma unroll
      for (int j = 0; j < kOutputsPerWarp; ++j) acc[j][p] += w[j] * x;
    }
  }
#pragma unroll
  for (int j = 0; j < kOutputsPerWarp; ++j) {
#pragma unroll
    for (int p = 0; p < kPoolPairs; ++p) acc[j][p] = detail::warp_sum(acc[j][p]);
  }
  if (lane != 0) return;
#pragma unroll
  for (int j = 0; j < kOutputsPerWarp; ++j) {
    const int o = first_output + j;
    if (o >= width) continue;
    for (int p = 0; p < pairs; ++p) {
      pooled[static_cast<std::int64_t>(first + p) * width + o] = tanhf(acc[j][p] + bias[o]);
    }
  }
}

// logits[p][label] = sum_k weight[label][k] * pooled[p][k] + bias[label], one warp each.
__global__ void __launch_bounds__(kHeadThreads)
    classifier_kernel(const float* __restrict__ pooled, int num_pairs,
                      const float* __restrict__ weight, const float* __restrict__ bias, int width,
                      int num_labels, float* __restrict__ logits) {
  const std::int64_t item = static_cast<std::int64_t>(blockIdx.x) * kHeadWarps + threadIdx.x / 32;
  if (item >= static_cast<std::int64_t>(num_pairs) * num_labels) return;
  const std::int64_t pair = item / num_labels;
  const int label = static_cast<int>(item % num_labels);
  const float* pooled_row = pooled + pair * width;
  const float* weight_row = weight + static_cast<std::int64_t>(label) * width;
  float sum = 0.0f;
  for (int k = threadIdx.x % 32; k < width; k += 32) sum += weight_row[k] * pooled_row[k];
  sum = detail::warp_sum(sum);
  if (threadIdx.x % 32 == 0) logits[item] = sum + bias[label];
}

}  // namespace

cudaError_t launch_classifier_head(DeviceDType dtype, const void* hidden,
                                   const std::int32_t* cu_seqlens, int num_pairs,
                                   const DeviceClassifierHead& head, float* pooled, float* logits,
                                   cudaStream_t stream) {
  if (num_pairs < 0 || head.width <= 0 || head.width > kMaxHeadWidth || head.num_labels <= 0 ||
      head.pooler_weight == nullptr || head.pooler_bias == nullptr ||
      head.classifier_weight == nullptr || head.classifier_bias == nullptr || pooled == nullptr) {
    return cudaErrorInvalidValue;
  }
  if (num_pairs == 0) return cudaSuccess;  // an empty grid is a launch error; nothing to do
  const dim3 pool_grid(static_cast<unsigned>((num_pairs + kPoolPairs - 1) / kPoolPairs),
                       static_cast<unsigned>((head.width + kPoolOutputs - 1) / kPoolOutputs));
  const size_t smem = kPoolPairs * static_cast<size_t>(head.width) * sizeof(float);
  const cudaError_t pooled_status = detail::dispatch_dtype(dtype, [&](auto tag) -> cudaError_t {
    using T = typename decltype(tag)::type;
    pooler_kernel<T><<<pool_grid, kHeadThreads, smem, stream>>>(
        static_cast<const T*>(hidden), cu_seqlens, num_pairs, head.pooler_weight, head.pooler_bias,
        head.width, pooled);
    return cudaGetLastError();
  });
  if (pooled_status != cudaSuccess) return pooled_status;
  const std::int64_t items = static_cast<std::int64_t>(num_pairs) * head.num_labels;
  const auto blocks = static_cast<unsigned>((items + kHeadWarps - 1) / kHeadWarps);
  classifier_kernel<<<blocks, kHeadThreads, 0, stream>>>(pooled, num_pairs, head.classifier_weight,
                                                         head.classifier_bias, head.width,
                                                         head.num_labels, logits);
  return cudaGetLastError();
}

}  // namespace rerankd::backend::cuda
