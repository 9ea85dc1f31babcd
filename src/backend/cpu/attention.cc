#include "backend/cpu/attention.h"

#include <omp.h>

#include <algorithm>
#include <cassert>
#include <cmath>

#include "backend/cpu/attention_tiles.h"
#include "backend/cpu/vector_math.h"
#include "backend/target_clones.h"

namespace rerankd::backend::cpu {
namespace {

// The scalar kernel's query rows scored together: each K^T row loaded serves this many score
// rows, and the tile of scores (kTileRows x length floats, 16 KB at length 512) stays in L1/L2.
constexpr std::int64_t kTileRows = 8;

// One (pair, head), for head sizes the tiled kernels cannot take (not a multiple of 4).
// Everything is in this one function because GCC does not inline plain
// helpers into a target_clones copy. The x86-64-v3 copy (AVX2 + FMA) is picked at load time by
// a CPU feature check; "arch=haswell" would not do: GCC dispatches arch= clones on the CPU
// model (__builtin_cpu_is), so AMD Zen ran the SSE2 copy (seen with perf on the dev box).
RERANKD_TARGET_CLONES("arch=x86-64-v3", "default") void attend_one_head(
    const HeadView& view, float* context, float* key_t, float* scores) {
  const std::int64_t length = view.length;
  const std::int64_t head_size = view.head_size;
  // HF scales by head_size ** -0.5 (eager_attention_forward's `scaling`).
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_size));

  // K^T for this head, [head_size, length], so score rows are computed along contiguous keys.
  for (std::int64_t j = 0; j < length; ++j) {
    const float* k_j = view.qkv + j * view.stride + view.hidden + view.offset;
    for (std::int64_t d = 0; d < head_size; ++d) key_t[d * length + j] = k_j[d];
  }

  for (std::int64_t first = 0; first < view.query_rows; first += kTileRows) {
    const std::int64_t rows = std::min(kTileRows, view.query_rows - first);
    // scores[r, :] = scale * q_r K^T, as rank-1 updates over d so the inner loop runs along keys.
    for (std::int64_t r = 0; r < rows; ++r) {
      const float* q = view.qkv + (first + r) * view.stride + view.offset;
      float* row = scores + r * length;
      const float q0 = q[0] * scale;
      for (std::int64_t j = 0; j < length; ++j) row[j] = q0 * key_t[j];
      for (std::int64_t d = 1; d < head_size; ++d) {
        const float qd = q[d] * scale;
        const float* kt = key_t + d * length;
        for (std::int64_t j = 0; j < length; ++j) row[j] += qd * kt[j];
      }
    }
    for (std::int64_t r = 0; r < rows; ++r) {
      float* row = scores + r * length;
      // Softmax, stabilised by the row maximum so every exp() is of a value <= 0.
      float max_value = row[0];
#pragma omp simd reduction(max : max_value)
      for (std::int64_t j = 0; j < length; ++j) max_value = std::max(max_value, row[j]);
      float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
      for (std::int64_t j = 0; j < length; ++j) {
        const float e = exp_non_positive(row[j] - max_value);
        row[j] = e;
        sum += e;
      }
      // context_r = (sum_j e_j v_j) / sum: the division is done once per output, not per key.
      float* out = context + (first + r) * view.hidden + view.offset;
      for (std::int64_t d = 0; d < head_size; ++d) out[d] = 0.0f;
      for (std::int64_t j = 0; j < length; ++j) {
        const float* v_j = view.qkv + j * view.stride + 2 * view.hidden + view.offset;
        const float weight = row[j];
        for (std::int64_t d = 0; d < head_size; ++d) out[d] += weight * v_j[d];
      }
      const float inv_sum = 1.0f / sum;
      for (std::int64_t d = 0; d < head_size; ++d) out[d] *= inv_sum;
    }
  }
}

// The tiled kernel per ISA and output block (DC vectors of the head at a time): register
// counts fit each ISA (v4: 32 zmm, 8 x 2 accumulators; v3 and baseline: 16 registers, 4 x 2).
using HeadKernel = void (*)(const HeadView&, float*, float*, float*);

__attribute__((target("arch=x86-64-v4"))) void attend_v4_wide(const HeadView& view, float* context,
                                                              float* key_t, float* scores) {
  attend_head_tiled<16, 8, 2, 2>(view, context, key_t, scores);
}
__attribute__((target("arch=x86-64-v4"))) void attend_v4(const HeadView& view, float* context,
                                                         float* key_t, float* scores) {
  attend_head_tiled<16, 8, 2, 1>(view, context, key_t, scores);
}
__attribute__((target("arch=x86-64-v3"))) void attend_v3_wide(const HeadView& view, float* context,
                                                              float* key_t, float* scores) {
  attend_head_tiled<8, 4, 2, 2>(view, context, key_t, scores);
}
__attribute__((target("arch=x86-64-v3"))) void attend_v3(const HeadView& view, float* context,
                                                         float* key_t, float* scores) {
  attend_head_tiled<8, 4, 2, 1>(view, context, key_t, scores);
}
void attend_baseline_wide(const HeadView& view, float* context, float* key_t, float* scores) {
  attend_head_tiled<4, 4, 2, 2>(view, context, key_t, scores);
}
void attend_baseline(const HeadView& view, float* context, float* key_t, float* scores) {
  attend_head_tiled<4, 4, 2, 1>(view, context, key_t, scores);
}

// The widest tiled kernel this CPU runs for this head size; nullptr: the scalar one.
HeadKernel tiled_kernel_for(std::int64_t head_size) {
  const simd::IsaLevel level = simd::isa_level();
  if (level == simd::IsaLevel::kX86_64_V4) {
    if (head_size % 32 == 0) return attend_v4_wide;
    if (head_size % 16 == 0) return attend_v4;
  }
  if (level != simd::IsaLevel::kBaseline) {
    if (head_size % 16 == 0) return attend_v3_wide;
    if (head_size % 8 == 0) return attend_v3;
  }
  if (head_size % 8 == 0) return attend_baseline_wide;
  if (head_size % 4 == 0) return attend_baseline;
  return nullptr;
}

}  // namespace

std::size_t attention_scratch_floats(const PackedAttentionShape& shape) {
  // Either kernel: K^T of one head plus a tile of score rows, keys padded for the tiled one.
  static_assert(kTileRows == kAttentionTileRows);
  return static_cast<std::size_t>((shape.head_size + kTileRows) * padded_keys(shape.max_length));
}

void packed_attention(const float* qkv, std::span<const std::int32_t> cu_seqlens,
                      const PackedAttentionShape& shape, float* context, std::span<float> scratch,
                      int threads) {
  const auto num_pairs = static_cast<std::int64_t>(cu_seqlens.size()) - 1;
  const std::int64_t hidden = shape.num_heads * shape.head_size;
  const std::int64_t items = num_pairs * shape.num_heads;
  const std::size_t per_thread = attention_scratch_floats(shape);
  assert(scratch.size() >= per_thread * static_cast<std::size_t>(threads));

  const HeadKernel tiled = tiled_kernel_for(shape.head_size);
  // Pairs differ in length (cost ~ length^2), so items are handed out dynamically.
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::int64_t item = 0; item < items; ++item) {
    const std::int64_t pair = item / shape.num_heads;
    const std::int64_t head = item % shape.num_heads;
    const std::int64_t begin = cu_seqlens[pair];
    const HeadView view{.qkv = qkv + begin * 3 * hidden,
                        .length = cu_seqlens[pair + 1] - begin,
                        .stride = 3 * hidden,
                        .hidden = hidden,
                        .offset = head * shape.head_size,
                        .head_size = shape.head_size,
                        .query_rows = shape.cls_only ? 1 : cu_seqlens[pair + 1] - begin};
    float* mine = scratch.data() + per_thread * static_cast<std::size_t>(omp_get_thread_num());
    float* scores = mine + shape.head_size * padded_keys(shape.max_length);
    float* const out = context + (shape.cls_only ? pair : begin) * hidden;
    if (tiled != nullptr) {
      tiled(view, out, mine, scores);
    } else {
      attend_one_head(view, out, mine, scores);
    }
  }
}

}  // namespace rerankd::backend::cpu
