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
// Score rows are padded to a multiple of this many keys (two 16-lane vectors), so the tiles
// have no tail; the padded keys score -1e30 and weigh e^-87 relative to the row maximum,
// which the softmax sum cannot see.
inline constexpr std::int64_t kAttentionKeyBlock = 32;

inline std::int64_t padded_keys(std::int64_t length) {
  return (length + kAttentionKeyBlock - 1) / kAttentionKeyBlock * kAttentionKeyBlock;
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
  const float* const k_base = view.qkv + view.hidden + view.offset;
  const float* const v_base = view.qkv + 2 * view.hidden + view.offset;

  // K^T [head_size, keys] so each score tile multiplies contiguous key vectors; zero padding.
  // This is the head's first touch of its q, k and v columns, rows 3 * hidden floats apart: too
  // far for the hardware's stride prefetcher, so without help every row is a cache miss in
  // turn (a quarter of the attention time on the dev box). Rows a few ahead are prefetched.
  constexpr std::int64_t kAhead = 6;
  for (std::int64_t j = 0; j < length; ++j) {
    if (j + kAhead < length) {
      const float* ahead = view.qkv + (j + kAhead) * view.stride + view.offset;
      for (std::int64_t d = 0; d < head_size; d += 16) {  // one 64-byte line at a time
        __builtin_prefetch(ahead + d);
        __builtin_prefetch(ahead + view.hidden + d);
        __builtin_prefetch(ahead + 2 * view.hidden + d);
      }
    }
    const float* k_j = k_base + j * view.stride;
    for (std::int64_t d = 0; d < head_size; ++d) key_t[d * keys + j] = k_j[d];
  }
  for (std::int64_t d = 0; d < head_size; ++d) {
    for (std::int64_t j = length; j < keys; ++j) key_t[d * keys + j] = 0.0f;
  }

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
    // Softmax of each row, stabilised by its maximum so every exp() is of a value <= 0, then
    // normalised in place. (Keeping R inverse sums live through the P V loop instead cost GCC
    // the registers of the V vectors, which it then copied through the stack.)
    for (int r = 0; r < R; ++r) {
      float* row = scores + r * keys;
      for (std::int64_t j = length; j < keys; ++j) row[j] = -1e30f;
      V vmax = simd::load<W>(row);
      for (std::int64_t j = W; j < keys; j += W) vmax = simd::max<W>(vmax, simd::load<W>(row + j));
      const V row_max = simd::splat<W>(simd::reduce_max<W>(vmax));
      V vsum{};
      for (std::int64_t j = 0; j < keys; j += W) {
        const V e = simd::exp_non_positive<W>(simd::load<W>(row + j) - row_max);
        simd::store<W>(row + j, e);
        vsum += e;
      }
      const float inverse_sum = 1.0f / simd::reduce_sum<W>(vsum);
      for (std::int64_t j = 0; j < keys; j += W) {
        simd::store<W>(row + j, simd::load<W>(row + j) * inverse_sum);
      }
    }
    // context_r = sum_j p_rj v_j, DC vectors of the head at a time.
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
      for (std::int64_t r = 0; r < rows; ++r) {
        float* out = context + (first + r) * view.hidden + view.offset + column;
        for (int c = 0; c < DC; ++c) simd::store<W>(out + c * W, acc[r][c]);
      }
    }
  }
}

}  // namespace rerankd::backend::cpu
