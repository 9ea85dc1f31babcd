// Padding-free fused self-attention over packed pairs, in the manner of FlashAttention-2 (Dao,
// "FlashAttention-2: Faster Attention with Better Parallelism and Work Partitioning", 2023):
// each block owns 64 query rows of one (pair, head), 16 per warp; keys and values stream
// through shared memory 64 at a time, double-buffered with cp.async so the next block loads
// while this one computes. Scores, probabilities and the output accumulator stay in registers:
// S = Q K^T and O += P V are mma.sync m16n8k16 tensor-core products (16-bit inputs, fp32
// accumulation), and an S accumulator fragment is, register for register, the A operand of the
// P V product, so P never touches shared memory. The softmax is online (a running max and sum
// per row: Milakov & Gimelshein, "Online normalizer calculation for softmax", 2018), so memory
// is linear in the length and any length fits.
//
// Semantics follow BertSelfAttention (Hugging Face transformers' modeling_bert.py):
// softmax(q k^T / sqrt(head_size)) v over the pair's own tokens (no attention mask needed:
// packing leaves no padding). Like FlashAttention, probabilities are rounded to 16 bits before
// P V while the row sums use their fp32 values.
//
// Fragment layouts are those of the PTX ISA's "Matrix Fragments for mma.m16n8k16": in a warp,
// lane = 4 * group + quad; an accumulator holds rows group and group + 8, columns 2 quad and
// 2 quad + 1 of its 16 x 8 tile.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cmath>
#include <cstdint>

#include "backend/cuda/kernels.h"
#include "backend/cuda/kernels/dtype_traits.cuh"

namespace rerankd::backend::cuda {
namespace {

using detail::kPack;

constexpr int kAttnWarps = 4;
constexpr int kWarpRows = 16;                       // mma m: query rows of one warp
constexpr int kQueryRows = kAttnWarps * kWarpRows;  // query rows of one block
constexpr int kKeyBlock = 64;                       // keys staged in shared memory at a time
constexpr int kKeyTiles = kKeyBlock / 8;            // mma n tiles of a key block
constexpr int kStages = 2;                          // K/V blocks in flight (double buffer)
constexpr int kDefaultSharedBytes = 48 * 1024;

// Shared memory of one block: kStages x (K block, V block), rows padded by 8 elements so that
// the eight 16-byte rows one ldmatrix phase reads fall in distinct banks (a row is then
// 4 (mod 32) words after the one before) and every row start stays 16-byte aligned.
template <int kHead>
struct AttentionLayout {
  static constexpr int kRowStride = kHead + 8;  // 16-bit elements
  static constexpr int kBlockElements = kKeyBlock * kRowStride;
  static constexpr int kBytes = kStages * 2 * kBlockElements * 2;
  static_assert(kHead % 16 == 0, "head_size must be a multiple of 16 (the mma k)");
};

// The tensor-core product and the fp32 -> 16-bit packing, per storage type.
template <typename T>
struct Mma;

template <>
struct Mma<__half> {
  static __device__ __forceinline__ void run(float (&d)[4], const std::uint32_t (&a)[4],
                                             std::uint32_t b0, std::uint32_t b1) {
    asm("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
        "{%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
  // `low` goes to the lower 16 bits: the element with the smaller column index.
  static __device__ __forceinline__ std::uint32_t pack(float low, float high) {
    const __half2 value = __floats2half2_rn(low, high);
    return *reinterpret_cast<const std::uint32_t*>(&value);
  }
};

template <>
struct Mma<__nv_bfloat16> {
  static __device__ __forceinline__ void run(float (&d)[4], const std::uint32_t (&a)[4],
                                             std::uint32_t b0, std::uint32_t b1) {
    asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
        "{%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
  static __device__ __forceinline__ std::uint32_t pack(float low, float high) {
    const __nv_bfloat162 value = __floats2bfloat162_rn(low, high);
    return *reinterpret_cast<const std::uint32_t*>(&value);
  }
};

__device__ __forceinline__ unsigned shared_address(const void* pointer) {
  return static_cast<unsigned>(__cvta_generic_to_shared(pointer));
}

// 16 bytes global -> shared without passing through registers; zero-filled when !valid (the
// source is then not read).
__device__ __forceinline__ void copy_async_16(void* shared, const void* global, bool valid) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(shared_address(shared)),
               "l"(global), "r"(valid ? 16 : 0));
}
__device__ __forceinline__ void commit_async_copies() {
  asm volatile("cp.async.commit_group;\n" ::);
}
template <int kPending>
__device__ __forceinline__ void wait_async_copies() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending));
}

// Two 8x8 matrices of 16-bit elements; lanes 0-7 and 8-15 give their row addresses.
__device__ __forceinline__ void load_matrix_x2(std::uint32_t (&r)[2], const void* shared) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0,%1}, [%2];\n"
               : "=r"(r[0]), "=r"(r[1])
               : "r"(shared_address(shared)));
}
// Four 8x8 matrices, each transposed on the way; lanes 8i..8i+7 give matrix i's row addresses.
__device__ __forceinline__ void load_matrix_x4_trans(std::uint32_t (&r)[4], const void* shared) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(shared_address(shared)));
}

__device__ __forceinline__ float quad_max(float value) {
  value = fmaxf(value, __shfl_xor_sync(0xffffffffu, value, 1));
  return fmaxf(value, __shfl_xor_sync(0xffffffffu, value, 2));
}
__device__ __forceinline__ float quad_sum(float value) {
  value += __shfl_xor_sync(0xffffffffu, value, 1);
  return value + __shfl_xor_sync(0xffffffffu, value, 2);
}

// grid = (ceil(max_length / 64), num_heads, num_pairs), block = 128 threads (4 warps).
// Warp w owns query rows [blockIdx.x * 64 + 16 w, + 16) of the pair.
template <typename T, int kHead>
__global__ void __launch_bounds__(kAttnWarps * 32)
    packed_attention_kernel(const T* __restrict__ qkv, const std::int32_t* __restrict__ cu_seqlens,
                            int num_heads, float scale_log2, T* __restrict__ context) {
  using Layout = AttentionLayout<kHead>;
  using M = Mma<T>;
  constexpr int kSteps = kHead / 16;  // mma k steps over the head (Q K^T)
  constexpr int kOutTiles = kHead / 8;
  constexpr int kRowPacks = kHead / kPack;
  extern __shared__ __align__(128) unsigned char attention_smem[];
  T* const blocks = reinterpret_cast<T*>(attention_smem);

  const int pair = blockIdx.z;
  const int head = blockIdx.y;
  const int start = cu_seqlens[pair];
  const int length = cu_seqlens[pair + 1] - start;
  const int block_row = blockIdx.x * kQueryRows;
  if (block_row >= length) return;  // the whole block leaves before any barrier

  const int warp = threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  const int group = lane / 4;
  const int quad = lane % 4;
  const int hidden = num_heads * kHead;
  const std::int64_t qkv_stride = 3 * static_cast<std::int64_t>(hidden);
  const T* q_base = qkv + start * qkv_stride + head * kHead;
  const T* k_base = q_base + hidden;
  const T* v_base = q_base + 2 * hidden;

  // Keys [first_key, first_key + 64) into stage `stage`; keys past the pair's end are zeros
  // (their probabilities are 0, and 0 * garbage could be NaN).
  auto load_key_block = [&](int stage, int first_key) {
    T* k_block = blocks + stage * 2 * Layout::kBlockElements;
    T* v_block = k_block + Layout::kBlockElements;
    for (int i = threadIdx.x; i < kKeyBlock * kRowPacks; i += blockDim.x) {
      const int key = i / kRowPacks;
      const int column = (i % kRowPacks) * kPack;
      const bool valid = first_key + key < length;
      const std::int64_t offset = valid ? (first_key + key) * qkv_stride + column : 0;
      copy_async_16(k_block + key * Layout::kRowStride + column, k_base + offset, valid);
      copy_async_16(v_block + key * Layout::kRowStride + column, v_base + offset, valid);
    }
    commit_async_copies();
  };
  load_key_block(0, 0);

  // This warp's 16 query rows as mma A fragments, zeros past the pair's end (their results
  // are never stored).
  const int warp_row = block_row + warp * kWarpRows;
  const bool active = warp_row < length;
  std::uint32_t q_frag[kSteps][4];
  {
    const int row_low = warp_row + group;
    const int row_high = row_low + 8;
    const auto load_pair = [&](int row, int column) -> std::uint32_t {
      if (row >= length) return 0u;
      return *reinterpret_cast<const std::uint32_t*>(q_base + row * qkv_stride + column);
    };
#pragma unroll
    for (int step = 0; step < kSteps; ++step) {
      const int column = step * 16 + 2 * quad;
      q_frag[step][0] = load_pair(row_low, column);
      q_frag[step][1] = load_pair(row_high, column);
      q_frag[step][2] = load_pair(row_low, column + 8);
      q_frag[step][3] = load_pair(row_high, column + 8);
    }
  }

  float out[kOutTiles][4];
#pragma unroll
  for (int t = 0; t < kOutTiles; ++t) {
#pragma unroll
    for (int i = 0; i < 4; ++i) out[t][i] = 0.0f;
  }
  // Per row (group, group + 8): the running max of the log2-domain scores, and this lane's
  // part of the running sum (the four lanes of a quad are added at the end).
  float row_max[2] = {-INFINITY, -INFINITY};
  float row_sum[2] = {0.0f, 0.0f};

  const int key_blocks = (length + kKeyBlock - 1) / kKeyBlock;
  for (int b = 0; b < key_blocks; ++b) {
    const int first_key = b * kKeyBlock;
    if (b + 1 < key_blocks) {
      load_key_block((b + 1) % kStages, first_key + kKeyBlock);
      wait_async_copies<1>();  // block b has landed; b + 1 may still be in flight
    } else {
      wait_async_copies<0>();
    }
    __syncthreads();
    if (active) {
      const T* k_block = blocks + (b % kStages) * 2 * Layout::kBlockElements;
      const T* v_block = k_block + Layout::kBlockElements;

      // S = Q K^T: K row-major [key][d] is the col-major B operand, as ldmatrix gives it.
      float s[kKeyTiles][4];
#pragma unroll
      for (int j = 0; j < kKeyTiles; ++j) {
#pragma unroll
        for (int i = 0; i < 4; ++i) s[j][i] = 0.0f;
#pragma unroll
        for (int step = 0; step < kSteps; ++step) {
          std::uint32_t k_frag[2];
          load_matrix_x2(k_frag, k_block + (j * 8 + lane % 8) * Layout::kRowStride + step * 16 +
                                     ((lane / 8) % 2) * 8);
          M::run(s[j], q_frag[step], k_frag[0], k_frag[1]);
        }
      }

      // Online softmax, in the log2 domain. Keys past the end weigh nothing; the block's key 0
      // is always valid, so each row's new max is finite and exp2f(-inf - max) is 0, not NaN.
      const bool partial = first_key + kKeyBlock > length;
      float block_max[2] = {-INFINITY, -INFINITY};
#pragma unroll
      for (int j = 0; j < kKeyTiles; ++j) {
#pragma unroll
        for (int i = 0; i < 4; ++i) {
          const int key = first_key + j * 8 + 2 * quad + (i % 2);
          s[j][i] = partial && key >= length ? -INFINITY : s[j][i] * scale_log2;
          block_max[i / 2] = fmaxf(block_max[i / 2], s[j][i]);
        }
      }
      float correction[2];
#pragma unroll
      for (int r = 0; r < 2; ++r) {
        const float new_max = fmaxf(row_max[r], quad_max(block_max[r]));
        correction[r] = exp2f(row_max[r] - new_max);
        row_max[r] = new_max;
        row_sum[r] *= correction[r];
      }
#pragma unroll
      for (int j = 0; j < kKeyTiles; ++j) {
#pragma unroll
        for (int i = 0; i < 4; ++i) {
          s[j][i] = exp2f(s[j][i] - row_max[i / 2]);
          row_sum[i / 2] += s[j][i];
        }
      }
#pragma unroll
      for (int t = 0; t < kOutTiles; ++t) {
#pragma unroll
        for (int i = 0; i < 4; ++i) out[t][i] *= correction[i / 2];
      }

      // O += P V over the block's keys, 16 at a time: key tiles 2k and 2k + 1 of S are the A
      // fragment; V row-major [key][d] becomes the B operand through ldmatrix.trans, two output
      // tiles per load.
#pragma unroll
      for (int k = 0; k < kKeyBlock / 16; ++k) {
        const std::uint32_t p_frag[4] = {
            M::pack(s[2 * k][0], s[2 * k][1]), M::pack(s[2 * k][2], s[2 * k][3]),
            M::pack(s[2 * k + 1][0], s[2 * k + 1][1]), M::pack(s[2 * k + 1][2], s[2 * k + 1][3])};
#pragma unroll
        for (int t = 0; t < kOutTiles; t += 2) {
          std::uint32_t v_frag[4];
          load_matrix_x4_trans(
              v_frag, v_block + (k * 16 + lane % 8 + ((lane / 8) % 2) * 8) * Layout::kRowStride +
                          t * 8 + (lane / 16) * 8);
          M::run(out[t], p_frag, v_frag[0], v_frag[1]);
          M::run(out[t + 1], p_frag, v_frag[2], v_frag[3]);
        }
      }
    }
    __syncthreads();  // every warp is done with this stage before it is loaded again
  }

  if (!active) return;
  float inverse_sum[2];
#pragma unroll
  for (int r = 0; r < 2; ++r) inverse_sum[r] = 1.0f / quad_sum(row_sum[r]);
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    const int query = warp_row + group + 8 * r;
    if (query >= length) continue;
    T* out_row =
        context + (start + query) * static_cast<std::int64_t>(hidden) + head * kHead + 2 * quad;
#pragma unroll
    for (int t = 0; t < kOutTiles; ++t) {
      *reinterpret_cast<std::uint32_t*>(out_row + t * 8) =
          M::pack(out[t][2 * r] * inverse_sum[r], out[t][2 * r + 1] * inverse_sum[r]);
    }
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
        return cudaErrorInvalidValue;  // the mma k is 16; these head sizes suffice
    }
  });
}

}  // namespace rerankd::backend::cuda
