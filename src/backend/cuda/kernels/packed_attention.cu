// Padding-free fused self-attention over packed pairs, flash-attention style: each block owns
// 64 query rows of one (pair, head); it streams that pair's keys and values through shared
// memory 64 at a time, computes the 16-row score tiles of each warp with tensor cores (WMMA,
// 16-bit inputs, fp32 accumulation), and keeps a running max and sum per row (the online
// softmax of Milakov & Gimelshein, "Online normalizer calculation for softmax", 2018, as used
// by FlashAttention), so no score ever reaches global memory and any length fits.
// Semantics follow BertSelfAttention (Hugging Face transformers' modeling_bert.py):
// softmax(q k^T / sqrt(head_size)) v over the pair's own tokens (no attention mask needed:
// packing leaves no padding).
#include <mma.h>

#include <cmath>

#include "backend/cuda/kernels.h"
#include "backend/cuda/kernels/dtype_traits.cuh"

namespace rerankd::backend::cuda {
namespace {

using detail::kPack;

constexpr int kAttnWarps = 4;
constexpr int kTile = 16;                       // WMMA m = n = k
constexpr int kQueryRows = kAttnWarps * kTile;  // query rows of one block, 16 per warp
constexpr int kKeyBlock = 64;                   // keys staged in shared memory at a time
constexpr int kDefaultSharedBytes = 48 * 1024;

constexpr int max_int(int a, int b) { return a > b ? a : b; }

// Shared memory of one block. Rows of 16-bit matrices are padded by 8 elements and fp32 rows by
// 4 to spread them over the banks; every region (and every 16x16 tile start) stays 32-byte
// aligned, as WMMA loads and stores require.
template <int kHead>
struct AttentionLayout {
  static constexpr int kRowStride = kHead + 8;       // K, V and Q rows (16-bit elements)
  static constexpr int kProbStride = kKeyBlock + 8;  // P rows (16-bit elements)
  static constexpr int kScoreStride = max_int(kKeyBlock, kHead) + 4;  // S / P V rows (fp32)
  static constexpr int kKeysBytes = kKeyBlock * kRowStride * 2;       // K block, then V block
  static constexpr int kQueryBytes = kTile * kRowStride * 2;
  static constexpr int kProbBytes = kTile * kProbStride * 2;
  static constexpr int kScoreBytes = kTile * kScoreStride * 4;
  static constexpr int kWarpBytes = kQueryBytes + kProbBytes + kScoreBytes;
  static constexpr int kBytes = 2 * kKeysBytes + kAttnWarps * kWarpBytes;
  static_assert(kHead % kTile == 0, "head_size must be a multiple of 16");
  static_assert(kKeysBytes % 32 == 0 && kQueryBytes % 32 == 0 && kProbBytes % 32 == 0 &&
                    kScoreBytes % 32 == 0,
                "WMMA needs 32-byte aligned shared-memory regions");
};

template <typename T>
__device__ __forceinline__ uint4 load_pack_raw(const T* src) {
  return *reinterpret_cast<const uint4*>(src);
}

template <typename T>
__device__ __forceinline__ void store_pack_raw(uint4 value, T* dst) {
  *reinterpret_cast<uint4*>(dst) = value;
}

// grid = (ceil(max_length / 64), num_heads, num_pairs), block = 128 threads (4 warps).
// Warp w owns query rows [blockIdx.x * 64 + 16 w, + 16) of the pair. Within a warp, lane l
// owns row l / 2 of the warp's tile for the softmax and half l % 2 (its `side`) of that row's
// output columns, so a row's running max, sum and output stay in the registers of two lanes.
template <typename T, int kHead>
__global__ void __launch_bounds__(kAttnWarps * 32)
    packed_attention_kernel(const T* __restrict__ qkv, const std::int32_t* __restrict__ cu_seqlens,
                            int num_heads, float scale_log2, T* __restrict__ context) {
  using Layout = AttentionLayout<kHead>;
  using namespace nvcuda;
  extern __shared__ __align__(128) unsigned char attention_smem[];

  const int pair = blockIdx.z;
  const int head = blockIdx.y;
  const int start = cu_seqlens[pair];
  const int length = cu_seqlens[pair + 1] - start;
  const int block_row = blockIdx.x * kQueryRows;
  if (block_row >= length) return;  // the whole block leaves before any barrier

  const int warp = threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  const int hidden = num_heads * kHead;
  const std::int64_t qkv_stride = 3 * static_cast<std::int64_t>(hidden);
  const T* q_base = qkv + start * qkv_stride + head * kHead;
  const T* k_base = q_base + hidden;
  const T* v_base = q_base + 2 * hidden;

  T* k_smem = reinterpret_cast<T*>(attention_smem);
  T* v_smem = reinterpret_cast<T*>(attention_smem + Layout::kKeysBytes);
  unsigned char* warp_smem = attention_smem + 2 * Layout::kKeysBytes + warp * Layout::kWarpBytes;
  T* q_smem = reinterpret_cast<T*>(warp_smem);
  T* p_smem = reinterpret_cast<T*>(warp_smem + Layout::kQueryBytes);
  float* s_smem = reinterpret_cast<float*>(warp_smem + Layout::kQueryBytes + Layout::kProbBytes);

  const int warp_row = block_row + warp * kTile;
  const bool active = warp_row < length;
  constexpr int kRowPacks = kHead / kPack;
  const uint4 zero = make_uint4(0, 0, 0, 0);

  // This warp's 16 query rows, zeros past the pair's end (their results are never stored).
  for (int i = lane; i < kTile * kRowPacks; i += 32) {
    const int r = i / kRowPacks;
    const int c = i % kRowPacks;
    const uint4 value = warp_row + r < length
                            ? load_pack_raw(q_base + (warp_row + r) * qkv_stride + c * kPack)
                            : zero;
    store_pack_raw(value, q_smem + r * Layout::kRowStride + c * kPack);
  }
  __syncwarp();
  wmma::fragment<wmma::matrix_a, kTile, kTile, kTile, T, wmma::row_major> q_frag[kHead / kTile];
#pragma unroll
  for (int kk = 0; kk < kHead / kTile; ++kk) {
    wmma::load_matrix_sync(q_frag[kk], q_smem + kk * kTile, Layout::kRowStride);
  }

  const int row = lane / 2;
  const int side = lane % 2;
  float row_max = -INFINITY;  // running max of the scaled (log2-domain) scores
  float row_sum = 0.0f;       // running sum of exp2(score - row_max)
  float out[kHead / 2];
#pragma unroll
  for (int i = 0; i < kHead / 2; ++i) out[i] = 0.0f;

  for (int key0 = 0; key0 < length; key0 += kKeyBlock) {
    __syncthreads();  // every warp is done with the previous K/V block
    for (int i = threadIdx.x; i < kKeyBlock * kRowPacks; i += blockDim.x) {
      const int key = i / kRowPacks;
      const int c = i % kRowPacks;
      uint4 k_value = zero;
      uint4 v_value = zero;
      if (key0 + key < length) {
        // Keys past the pair's end stay zero: their probabilities are 0, and 0 * garbage could
        // be NaN.
        const std::int64_t offset = (key0 + key) * qkv_stride + c * kPack;
        k_value = load_pack_raw(k_base + offset);
        v_value = load_pack_raw(v_base + offset);
      }
      store_pack_raw(k_value, k_smem + key * Layout::kRowStride + c * kPack);
      store_pack_raw(v_value, v_smem + key * Layout::kRowStride + c * kPack);
    }
    __syncthreads();
    if (!active) continue;  // still takes part in the block's barriers

      // S = Q K^T for this key block (K row-major [key][d] is K^T column-major).
#pragma unroll
    for (int j = 0; j < kKeyBlock / kTile; ++j) {
      wmma::fragment<wmma::accumulator, kTile, kTile, kTile, float> acc;
      wmma::fill_fragment(acc, 0.0f);
#pragma unroll
      for (int kk = 0; kk < kHead / kTile; ++kk) {
        wmma::fragment<wmma::matrix_b, kTile, kTile, kTile, T, wmma::col_major> k_frag;
        wmma::load_matrix_sync(k_frag, k_smem + j * kTile * Layout::kRowStride + kk * kTile,
                               Layout::kRowStride);
        wmma::mma_sync(acc, q_frag[kk], k_frag, acc);
      }
      wmma::store_matrix_sync(s_smem + j * kTile, acc, Layout::kScoreStride, wmma::mem_row_major);
    }
    __syncwarp();

    // Online softmax: this lane takes the block's columns 2c + side of its row.
    const int valid = min(kKeyBlock, length - key0);
    float scores[kKeyBlock / 2];
    float block_max = -INFINITY;
#pragma unroll
    for (int c = 0; c < kKeyBlock / 2; ++c) {
      const int column = 2 * c + side;
      scores[c] =
          column < valid ? s_smem[row * Layout::kScoreStride + column] * scale_log2 : -INFINITY;
      block_max = fmaxf(block_max, scores[c]);
    }
    block_max = fmaxf(block_max, __shfl_xor_sync(0xffffffffu, block_max, 1));
    // Column 0 is always valid, so new_max is finite and exp2f(-inf - new_max) is 0, not NaN.
    const float new_max = fmaxf(row_max, block_max);
    const float correction = exp2f(row_max - new_max);
    float block_sum = 0.0f;
#pragma unroll
    for (int c = 0; c < kKeyBlock / 2; ++c) {
      const float p = exp2f(scores[c] - new_max);
      block_sum += p;
      p_smem[row * Layout::kProbStride + 2 * c + side] = detail::DTypeTraits<T>::from_float(p);
    }
    block_sum += __shfl_xor_sync(0xffffffffu, block_sum, 1);
    row_sum = row_sum * correction + block_sum;
    row_max = new_max;
    __syncwarp();

    // P V for this key block, into the (now free) score buffer.
#pragma unroll
    for (int j = 0; j < kHead / kTile; ++j) {
      wmma::fragment<wmma::accumulator, kTile, kTile, kTile, float> acc;
      wmma::fill_fragment(acc, 0.0f);
#pragma unroll
      for (int kk = 0; kk < kKeyBlock / kTile; ++kk) {
        wmma::fragment<wmma::matrix_a, kTile, kTile, kTile, T, wmma::row_major> p_frag;
        wmma::fragment<wmma::matrix_b, kTile, kTile, kTile, T, wmma::row_major> v_frag;
        wmma::load_matrix_sync(p_frag, p_smem + kk * kTile, Layout::kProbStride);
        wmma::load_matrix_sync(v_frag, v_smem + kk * kTile * Layout::kRowStride + j * kTile,
                               Layout::kRowStride);
        wmma::mma_sync(acc, p_frag, v_frag, acc);
      }
      wmma::store_matrix_sync(s_smem + j * kTile, acc, Layout::kScoreStride, wmma::mem_row_major);
    }
    __syncwarp();
#pragma unroll
    for (int i = 0; i < kHead / 2; ++i) {
      out[i] = out[i] * correction + s_smem[row * Layout::kScoreStride + side * (kHead / 2) + i];
    }
    __syncwarp();  // the next block's scores overwrite s_smem
  }

  const int query = warp_row + row;
  if (!active || query >= length) return;
  const float inverse_sum = 1.0f / row_sum;
  T* out_row = context + (start + query) * static_cast<std::int64_t>(hidden) + head * kHead +
               side * (kHead / 2);
#pragma unroll
  for (int pk = 0; pk < kHead / 2 / kPack; ++pk) {
    float values[kPack];
#pragma unroll
    for (int j = 0; j < kPack; ++j) values[j] = out[pk * kPack + j] * inverse_sum;
    detail::store_pack(values, out_row + pk * kPack);
  }
}

template <typename T, int kHead>
cudaError_t launch_for_head(const T* qkv, const std::int32_t* cu_seqlens,
                            const PackedAttentionShape& shape, T* context, cudaStream_t stream) {
  constexpr int kBytes = AttentionLayout<kHead>::kBytes;
  auto* kernel = &packed_attention_kernel<T, kHead>;
  if (kBytes > kDefaultSharedBytes) {
    // Host-side and capture-safe; per device, so it is set on every launch rather than once.
    const cudaError_t error =
        cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kBytes);
    if (error != cudaSuccess) return error;
  }
  const dim3 grid(static_cast<unsigned>((shape.max_length + kQueryRows - 1) / kQueryRows),
                  static_cast<unsigned>(shape.num_heads), static_cast<unsigned>(shape.num_pairs));
  const float scale_log2 = static_cast<float>(1.4426950408889634 / std::sqrt(double{kHead}));
  kernel<<<grid, kAttnWarps * 32, kBytes, stream>>>(qkv, cu_seqlens, shape.num_heads, scale_log2,
                                                    context);
  return cudaGetLastError();
}

}  // namespace

cudaError_t launch_packed_attention(DeviceDType dtype, const void* qkv,
                                    const std::int32_t* cu_seqlens,
                                    const PackedAttentionShape& shape, void* context,
                                    cudaStream_t stream) {
  // gridDim.y and gridDim.z are limited to 65535.
  if (shape.num_pairs < 0 || shape.num_pairs > 65535 || shape.num_heads <= 0 ||
      shape.num_heads > 65535 || shape.max_length < 0 || !detail::is_aligned16(qkv) ||
      !detail::is_aligned16(context)) {
    return cudaErrorInvalidValue;
  }
  if (shape.num_pairs == 0 || shape.max_length == 0) return cudaSuccess;  // nothing to do
  return detail::dispatch_dtype(dtype, [&](auto tag) -> cudaError_t {
    using T = typename decltype(tag)::type;
    const auto* qkv_t = static_cast<const T*>(qkv);
    auto* context_t = static_cast<T*>(context);
    switch (shape.head_size) {
      case 16:
        return launch_for_head<T, 16>(qkv_t, cu_seqlens, shape, context_t, stream);
      case 32:
        return launch_for_head<T, 32>(qkv_t, cu_seqlens, shape, context_t, stream);
      case 64:
        return launch_for_head<T, 64>(qkv_t, cu_seqlens, shape, context_t, stream);
      case 128:
        return launch_for_head<T, 128>(qkv_t, cu_seqlens, shape, context_t, stream);
      default:
        return cudaErrorInvalidValue;  // WMMA tiles need a multiple of 16; these suffice
    }
  });
}

}  // namespace rerankd::backend::cuda
