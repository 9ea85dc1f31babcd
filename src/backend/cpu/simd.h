// Fixed-width float vectors through GCC's vector extensions, for the kernels that need explicit
// register tiles (attention, the int8 epilogues). One source serves every ISA: inside a function
// built for x86-64-v4 a 16-lane vector is one zmm register, for x86-64-v3 an 8-lane vector is one
// ymm, and the baseline gets 4-lane xmm. The project is not built with -march, so callers pick
// the width per target("arch=...") entry point and dispatch with isa_level() at run time.
//
// Everything here is always_inline: GCC inlines a baseline function into a target("arch=...")
// caller only when forced, and an out-of-line copy would be compiled for the baseline ISA.
#pragma once

#include <cstdint>
#include <cstring>
#include <utility>

#include "backend/cpu/vector_math.h"

namespace rerankd::backend::cpu::simd {

// Spelled out per width: GCC drops aligned / may_alias on a vector type that depends on a
// template parameter.
template <int W>
struct VecTraits;
template <>
struct VecTraits<4> {
  using Float = float __attribute__((vector_size(16)));
  // The same at any float's address, for loads and stores.
  using Unaligned = float __attribute__((vector_size(16), aligned(4), may_alias));
  using Int = std::int32_t __attribute__((vector_size(16)));
  using Byte = std::uint8_t __attribute__((vector_size(4)));
  using Bytes = std::uint8_t __attribute__((vector_size(16)));  // a Float's bytes
};
template <>
struct VecTraits<8> {
  using Float = float __attribute__((vector_size(32)));
  // The same at any float's address, for loads and stores.
  using Unaligned = float __attribute__((vector_size(32), aligned(4), may_alias));
  using Int = std::int32_t __attribute__((vector_size(32)));
  using Byte = std::uint8_t __attribute__((vector_size(8)));
  using Bytes = std::uint8_t __attribute__((vector_size(32)));  // a Float's bytes
};
template <>
struct VecTraits<16> {
  using Float = float __attribute__((vector_size(64)));
  // The same at any float's address, for loads and stores.
  using Unaligned = float __attribute__((vector_size(64), aligned(4), may_alias));
  using Int = std::int32_t __attribute__((vector_size(64)));
  using Byte = std::uint8_t __attribute__((vector_size(16)));
  using Bytes = std::uint8_t __attribute__((vector_size(64)));  // a Float's bytes
};

// W floats; W is 4, 8 or 16.
template <int W>
using Vec = typename VecTraits<W>::Float;
template <int W>
using IntVec = typename VecTraits<W>::Int;
template <int W>
using ByteVec = typename VecTraits<W>::Byte;

// The widest vectors this CPU runs well, as the dispatchers see it (whatever its vendor: GCC's
// arch= checks CPU features here, not the model).
enum class IsaLevel { kBaseline, kX86_64_V3, kX86_64_V4 };

inline IsaLevel isa_level() {
  static const IsaLevel kLevel = __builtin_cpu_supports("x86-64-v4")   ? IsaLevel::kX86_64_V4
                                 : __builtin_cpu_supports("x86-64-v3") ? IsaLevel::kX86_64_V3
                                                                       : IsaLevel::kBaseline;
  return kLevel;
}

// Loads and stores through VecTraits::Unaligned: a memcpy into a local vector made GCC 12 copy
// some loaded vectors through the stack.
template <int W>
using UnalignedVec = typename VecTraits<W>::Unaligned;

template <int W>
[[gnu::always_inline]] inline Vec<W> load(const float* p) {
  return *reinterpret_cast<const UnalignedVec<W>*>(p);
}

template <int W>
[[gnu::always_inline]] inline void store(float* p, Vec<W> v) {
  *reinterpret_cast<UnalignedVec<W>*>(p) = v;
}

// A broadcast. (0 + value costs one scalar add before the broadcast; value - 0, which GCC folds
// away, made GCC 12 build the vector lane by lane with 16 masked broadcasts and spill the
// attention tiles to the stack.)
template <int W>
[[gnu::always_inline]] inline Vec<W> splat(float value) {
  return Vec<W>{} + value;
}

// *p in every lane. On AVX-512 this must be vbroadcastss from memory, which runs on a load port:
// the register form (what GCC 12 emits for a splat) takes port 5, which 512-bit FMAs share, and
// the attention tiles issue one broadcast per two FMAs. Inline asm because GCC 12 offers no
// other way here: a pure vector constructor made it build the vector lane by lane with masked
// broadcasts (see splat). On AVX2 the same saves splat's scalar add. Only x86-64-v4 code
// instantiates W = 16, and only x86-64-v3 or v4 code W = 8 (the baseline has no AVX).
template <int W>
[[gnu::always_inline]] inline Vec<W> broadcast(const float* p) {
  if constexpr (W == 16 || W == 8) {
    Vec<W> v;
    asm("vbroadcastss %1, %0" : "=v"(v) : "m"(*p));
    return v;
  } else {
    return splat<W>(*p);
  }
}

template <int W>
[[gnu::always_inline]] inline Vec<W> max(Vec<W> a, Vec<W> b) {
  return a > b ? a : b;
}

template <int W>
[[gnu::always_inline]] inline Vec<W> min(Vec<W> a, Vec<W> b) {
  return a < b ? a : b;
}

// Transposes an 8 x 8 block held as 8 rows: afterwards rows[i][k] is the old rows[k][i]. Pairs
// of rows are interleaved, then pairs of pairs, then the 128-bit halves swapped (AVX's
// unpck / shufps / perm2f128 sequence). Only x86-64-v3 or v4 code may call it.
[[gnu::always_inline]] inline void transpose_8x8(Vec<8> rows[8]) {
  Vec<8> pairs[8];
  for (int i = 0; i < 8; i += 2) {
    pairs[i] = __builtin_shufflevector(rows[i], rows[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    pairs[i + 1] = __builtin_shufflevector(rows[i], rows[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  Vec<8> quads[8];
  for (int i = 0; i < 8; i += 4) {
    for (int h = 0; h < 2; ++h) {
      quads[i + 2 * h] =
          __builtin_shufflevector(pairs[i + h], pairs[i + h + 2], 0, 1, 8, 9, 4, 5, 12, 13);
      quads[i + 2 * h + 1] =
          __builtin_shufflevector(pairs[i + h], pairs[i + h + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    }
  }
  for (int i = 0; i < 4; ++i) {
    rows[i] = __builtin_shufflevector(quads[i], quads[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    rows[i + 4] = __builtin_shufflevector(quads[i], quads[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}

// All ones in lanes [0, count), zero in the others: a mask for select.
template <int W>
[[gnu::always_inline]] inline IntVec<W> lanes_below(std::int64_t count) {
  IntVec<W> lane{};
  for (int i = 0; i < W; ++i) lane[i] = i;
  return lane < static_cast<std::int32_t>(count);
}

// a where mask is all ones, b where it is zero (mask from a comparison or lanes_below).
template <int W>
[[gnu::always_inline]] inline Vec<W> select(IntVec<W> mask, Vec<W> a, Vec<W> b) {
  return __builtin_bit_cast(Vec<W>, (__builtin_bit_cast(IntVec<W>, a) & mask) |
                                        (__builtin_bit_cast(IntVec<W>, b) & ~mask));
}

// The lower and upper halves of v (W is 8 or 16).
template <int W, std::size_t... kLane>
[[gnu::always_inline]] inline Vec<W / 2> lower_half(Vec<W> v, std::index_sequence<kLane...>) {
  return __builtin_shufflevector(v, v, kLane...);
}
template <int W, std::size_t... kLane>
[[gnu::always_inline]] inline Vec<W / 2> upper_half(Vec<W> v, std::index_sequence<kLane...>) {
  return __builtin_shufflevector(v, v, (kLane + W / 2)...);
}

// The lanes of v combined by `op` as a tree: halves first, down to 4 lanes, then pairs. A
// lane-by-lane fold is a chain of W dependent operations; in the attention softmax two such
// folds per row (max, then sum) took most of its time.
template <int W, typename Op>
[[gnu::always_inline]] inline float reduce_tree(Vec<W> v, Op op) {
  if constexpr (W > 4) {
    const auto halves = std::make_index_sequence<W / 2>{};
    return reduce_tree<W / 2>(op(lower_half<W>(v, halves), upper_half<W>(v, halves)), op);
  } else {
    const Vec<4> pairs = op(v, __builtin_shufflevector(v, v, 2, 3, 0, 1));
    return op(pairs, __builtin_shufflevector(pairs, pairs, 1, 0, 3, 2))[0];
  }
}

template <int W>
[[gnu::always_inline]] inline float reduce_max(Vec<W> v) {
  return reduce_tree<W>(v, [](auto a, auto b) { return a > b ? a : b; });
}

template <int W>
[[gnu::always_inline]] inline float reduce_min(Vec<W> v) {
  return reduce_tree<W>(v, [](auto a, auto b) { return a < b ? a : b; });
}

template <int W>
[[gnu::always_inline]] inline float reduce_sum(Vec<W> v) {
  return reduce_tree<W>(v, [](auto a, auto b) { return a + b; });
}

// Nearest integer (ties to even) of |v| < 2^22, still as floats.
template <int W>
[[gnu::always_inline]] inline Vec<W> round_nearest(Vec<W> v) {
  constexpr float kRoundMagic = 12582912.0f;  // 1.5 * 2^23
  return (v + kRoundMagic) - kRoundMagic;
}

// e^x for x <= 0, lane by lane: the same formula and error as vector_math.h's exp_non_positive.
template <int W>
[[gnu::always_inline]] inline Vec<W> exp_non_positive(Vec<W> x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2High = 0.693359375f;
  constexpr float kLn2Low = -2.12194440e-4f;
  x = max<W>(x, splat<W>(-87.0f));
  const Vec<W> n = round_nearest<W>(x * kLog2e);
  const Vec<W> r = (x - n * kLn2High) - n * kLn2Low;
  const IntVec<W> exponent = (__builtin_convertvector(n, IntVec<W>) + 127) << 23;
  return exp_taylor(r) * __builtin_bit_cast(Vec<W>, exponent);
}

template <int W, std::size_t... kLane>
[[gnu::always_inline]] inline ByteVec<W> low_bytes(Vec<W> v, std::index_sequence<kLane...>) {
  const auto bytes = __builtin_bit_cast(typename VecTraits<W>::Bytes, v);
  return __builtin_shufflevector(bytes, bytes, (4 * kLane)...);
}

// Each lane of v, a whole number in [0, 255] stored as a float, as a byte. Adding 2^23 puts the
// number in the low mantissa bits (rounding any fraction to nearest even, as a conversion would);
// a byte shuffle then gathers the low bytes. GCC 12 narrows an int vector to bytes one lane at a
// time on AVX2; this is two shuffles.
template <int W>
[[gnu::always_inline]] inline ByteVec<W> to_bytes(Vec<W> v) {
  return low_bytes<W>(v + 8388608.0f, std::make_index_sequence<W>{});
}

template <int W>
[[gnu::always_inline]] inline Vec<W> abs(Vec<W> v) {
  return __builtin_bit_cast(Vec<W>, __builtin_bit_cast(IntVec<W>, v) & 0x7fffffff);
}

// |magnitude| with the sign of `sign`.
template <int W>
[[gnu::always_inline]] inline Vec<W> copysign(Vec<W> magnitude, Vec<W> sign) {
  const IntVec<W> bits =
      (__builtin_bit_cast(IntVec<W>, magnitude) & 0x7fffffff) |
      (__builtin_bit_cast(IntVec<W>, sign) & static_cast<std::int32_t>(0x80000000u));
  return __builtin_bit_cast(Vec<W>, bits);
}

// 1 / v, from the hardware's reciprocal estimate and one Newton step (relative error about
// 2^-22 from a 12-bit estimate, less from AVX-512's 14-bit one). A vector division, which erf
// and tanh need once per value, is a long-latency, low-throughput instruction: the int8
// intermediate GEMM's GELU epilogue issues one per 16 activations. Inline asm for the estimate,
// as broadcast's; the baseline's rcpps is SSE.
template <int W>
[[gnu::always_inline]] inline Vec<W> reciprocal(Vec<W> v) {
  Vec<W> r;
  if constexpr (W == 16) {
    asm("vrcp14ps %1, %0" : "=v"(r) : "v"(v));
  } else if constexpr (W == 8) {
    asm("vrcpps %1, %0" : "=v"(r) : "v"(v));
  } else {
    asm("rcpps %1, %0" : "=x"(r) : "x"(v));
  }
  return r * (2.0f - v * r);
}

// erf by Abramowitz & Stegun 7.1.26 (absolute error <= 1.5e-7), odd-extended to negative z.
template <int W>
[[gnu::always_inline]] inline Vec<W> erf(Vec<W> z) {
  constexpr float kP = 0.3275911f;
  constexpr float kA1 = 0.254829592f, kA2 = -0.284496736f, kA3 = 1.421413741f, kA4 = -1.453152027f,
                  kA5 = 1.061405429f;
  const Vec<W> a = abs<W>(z);
  const Vec<W> t = reciprocal<W>(1.0f + kP * a);
  const Vec<W> poly = t * (kA1 + t * (kA2 + t * (kA3 + t * (kA4 + t * kA5))));
  return copysign<W>(1.0f - poly * exp_non_positive<W>(-a * a), z);
}

// tanh(u) = sign(u) (1 - e^-2|u|) / (1 + e^-2|u|): only e^x of x <= 0, which never overflows.
template <int W>
[[gnu::always_inline]] inline Vec<W> tanh(Vec<W> u) {
  const Vec<W> e = exp_non_positive<W>(-2.0f * abs<W>(u));
  return copysign<W>((1.0f - e) * reciprocal<W>(1.0f + e), u);
}

// BERT's "gelu" (HF GELUActivation): x Phi(x) with the exact erf.
template <int W>
[[gnu::always_inline]] inline Vec<W> gelu_erf(Vec<W> x) {
  return 0.5f * x * (1.0f + erf<W>(x * 0.70710678118654752f));
}

// "gelu_new" (HF NewGELUActivation): the tanh approximation.
template <int W>
[[gnu::always_inline]] inline Vec<W> gelu_tanh(Vec<W> x) {
  constexpr float kSqrt2OverPi = 0.79788456080286536f;
  return 0.5f * x * (1.0f + tanh<W>(kSqrt2OverPi * (x + 0.044715f * x * x * x)));
}

}  // namespace rerankd::backend::cpu::simd
