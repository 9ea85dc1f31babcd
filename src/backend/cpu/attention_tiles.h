// The register-tiled attention of one (pair, head), written once over simd::Vec<W> and
// instantiated by attention.cc inside one target("arch=...") function per ISA. Internal to
// attention.cc.
#pragma once

#include <cmath>
#include <cstdint>

#include "backend/cpu/simd.h"

namespace rerankd::backend::cpu {

struct HeadView {
  const float* qkv = nullptr;  // the pair's first row
  std::int64_t length = 0;
  std::int64_t stride = 0;  // 3 * hidden
  std::int64_t hidden = 0;
  std::int64_t offset = 0;  // head * head_size
  std::int64_t head_size = 0;
  std::int64_t query_rows = 0;  // the first query rows computed: length, or 1 for [CLS] only
};

// Query rows per tile: every K^T vector and V row loaded serves this many rows.
inline constexpr std::int64_t kAttentionTileRows = 8;
// Score rows are padded to a multiple of this many keys (two 16-lane vectors), so the QK^T
// tiles have no tail; the softmax masks the padded keys out and P V never reads them.
inline constexpr std::int64_t kAttentionKeyBlock = 32;

inline std::int64_t padded_keys(std::int64_t length) {
  return (length + kAttentionKeyBlock - 1) / kAttentionKeyBlock * kAttentionKeyBlock;
}

// Rows of q, k and v this far ahead are prefetched while K is transposed (see transpose_keys).
inline constexpr std::int64_t kPrefetchRowsAhead = 8;

// Prefetches row `row` of the pair's q, k and v columns of the head, if the pair has it.
[[gnu::always_inline]] inline void prefetch_head_row(const HeadView& view, std::int64_t row) {
  if (row >= view.length) return;
  const float* at = view.qkv + row * view.stride + view.offset;
  for (std::int64_t d = 0; d < view.head_size; d += 16) {  // one 64-byte line at a time
    __builtin_prefetch(at + d);
    __builtin_prefetch(at + view.hidden + d);
    __builtin_prefetch(at + 2 * view.hidden + d);
  }
}

// K^T [head_size, keys] so each score tile multiplies contiguous key vectors; zero padding.
// This is the head's first touch of its q, k and v columns, rows 3 * hidden floats apart: too
// far for the hardware's stride prefetcher, so without help every row is a cache miss in turn
// (a quarter of the attention time on the dev box). Rows a few ahead are prefetched. With
// 8-lane vectors (x86-64-v3 and v4) blocks of 8 keys x 8 dimensions are transposed in
// registers; one float at a time, this took a fifth of the kernel on the Sapphire Rapids host.
template <int W>
[[gnu::always_inline]] inline void transpose_keys(const HeadView& view, std::int64_t keys,
                                                  float* key_t) {
  const std::int64_t length = view.length;
  const std::int64_t head_size = view.head_size;
  const float* const k_base = view.qkv + view.hidden + view.offset;
  std::int64_t j = 0;
  if constexpr (W >= 8) {
    for (; j + 8 <= length; j += 8) {
      for (std::int64_t i = 0; i < 8; ++i) prefetch_head_row(view, j + kPrefetchRowsAhead + i);
      for (std::int64_t d = 0; d < head_size; d += 8) {
        simd::Vec<8> block[8];
        for (int i = 0; i < 8; ++i) block[i] = simd::load<8>(k_base + (j + i) * view.stride + d);
        simd::transpose_8x8(block);
        for (int i = 0; i < 8; ++i) simd::store<8>(key_t + (d + i) * keys + j, block[i]);
      }
    }
  }
  for (; j < length; ++j) {
    prefetch_head_row(view, j + kPrefetchRowsAhead);
    const float* k_j = k_base + j * view.stride;
    for (std::int64_t d = 0; d < head_size; ++d) key_t[d * keys + j] = k_j[d];
  }
  for (std::int64_t d = 0; d < head_size; ++d) {
    for (std::int64_t pad = length; pad < keys; ++pad) key_t[d * keys + pad] = 0.0f;
  }
}

// context rows of this pair (first row, head's columns) = softmax(q k^T / sqrt(d)) v.
// R query rows per tile, score columns in blocks of C vectors, the output in blocks of DC
// vectors (R x C and R x DC accumulators stay in registers). Needs head_size % (W * DC) == 0
// and kAttentionKeyBlock % (W * C) == 0. key_t holds head_size x padded_keys(length) floats,
// scores R x padded_keys(length).
template <int W, int R, int C, int DC>
[[gnu::always_inline]] inline void attend_head_tiled(const HeadView& view, float* context,
                                                     float* key_t, float* scores) {
  using V = simd::Vec<W>;
  const std::int64_t length = view.length;
  const std::int64_t keys = padded_keys(length);
  const std::int64_t head_size = view.head_size;
  // HF scales by head_size ** -0.5 (eager_attention_forward's `scaling`).
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_size));
  const float* const v_base = view.qkv + 2 * view.hidden + view.offset;

  transpose_keys<W>(view, keys, key_t);
  // The last score vector holding a key, and which of its lanes do.
  const std::int64_t last = (length - 1) / W * W;
  const simd::IntVec<W> tail_mask = simd::lanes_below<W>(length - last);
  const V lowest = simd::splat<W>(-3.0e38f);

  for (std::int64_t first = 0; first < view.query_rows; first += R) {
    // Rows past the pair's end repeat its last row; their results are never stored.
    const float* q[R];
    for (int r = 0; r < R; ++r) {
      const std::int64_t row = first + r < length ? first + r : length - 1;
      q[r] = view.qkv + row * view.stride + view.offset;
    }
    // scores[r, j] = scale * q_r . k_j
    for (std::int64_t column = 0; column < keys; column += C * W) {
      V acc[R][C] = {};
      for (std::int64_t d = 0; d < head_size; ++d) {
        V k[C];
        for (int c = 0; c < C; ++c) k[c] = simd::load<W>(key_t + d * keys + column + c * W);
        for (int r = 0; r < R; ++r) {
          const V qd = simd::broadcast<W>(q[r] + d);
          for (int c = 0; c < C; ++c) acc[r][c] += qd * k[c];
        }
      }
      for (int r = 0; r < R; ++r) {
        for (int c = 0; c < C; ++c) {
          simd::store<W>(scores + r * keys + column + c * W, acc[r][c] * scale);
        }
      }
    }
    // Softmax numerators of the R rows, each stabilised by its maximum so every exp() is of a
    // value <= 0; the rows go through each step together, so their reductions overlap instead
    // of each row waiting on its own. Keys past the pair's end (zero scores, from K^T's
    // padding) are masked out of the last vector and skipped after it.
    float inverse_sums[R];
    {
      V vmax[R];
      for (int r = 0; r < R; ++r) {
        vmax[r] = simd::select<W>(tail_mask, simd::load<W>(scores + r * keys + last), lowest);
      }
      for (std::int64_t j = 0; j < last; j += W) {
        for (int r = 0; r < R; ++r)
          vmax[r] = simd::max<W>(vmax[r], simd::load<W>(scores + r * keys + j));
      }
      float row_max[R];
      for (int r = 0; r < R; ++r) row_max[r] = simd::reduce_max<W>(vmax[r]);
      V vsum[R] = {};
      for (std::int64_t j = 0; j <= last; j += W) {
        for (int r = 0; r < R; ++r) {
          float* const at = scores + r * keys + j;
          V e = simd::exp_non_positive<W>(simd::load<W>(at) - simd::splat<W>(row_max[r]));
          if (j == last) e = simd::select<W>(tail_mask, e, V{});
          simd::store<W>(at, e);
          vsum[r] += e;
        }
      }
      for (int r = 0; r < R; ++r) inverse_sums[r] = 1.0f / simd::reduce_sum<W>(vsum[r]);
    }
    // context_r = (sum_j e_rj v_j) / sum_r, DC vectors of the head at a time: the division is
    // done once per output, not per key.
    const std::int64_t rows = view.query_rows - first < R ? view.query_rows - first : R;
    for (std::int64_t column = 0; column < head_size; column += DC * W) {
      V acc[R][DC] = {};
      for (std::int64_t j = 0; j < length; ++j) {
        V v[DC];
        for (int c = 0; c < DC; ++c)
          v[c] = simd::load<W>(v_base + j * view.stride + column + c * W);
        for (int r = 0; r < R; ++r) {
          const V weight = simd::broadcast<W>(scores + r * keys + j);
          for (int c = 0; c < DC; ++c) acc[r][c] += weight * v[c];
        }
      }
      // Over all R rows with a test inside: a loop bounded by `rows` indexes acc at run time,
      // which made GCC keep acc in memory and store all of it on every key.
      for (int r = 0; r < R; ++r) {
        if (r >= rows) break;
        float* out = context + (first + r) * view.hidden + view.offset + column;
        const V inverse_sum = simd::broadcast<W>(inverse_sums + r);
        for (int c = 0; c < DC; ++c) simd::store<W>(out + c * W, acc[r][c] * inverse_sum);
      }
    }
  }
}

}  // namespace rerankd::backend::cpu
