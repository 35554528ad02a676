// Portable emulation of the AVX-512 intrinsics that the avx512 kernel path uses
// (isa/vec_avx512.h, isa/gemm_avx512.inc, isa/peak.inc), so that path's own source can run
// and be tested on a CPU without AVX-512. It includes <immintrin.h> before defining its
// macros, which then shadow GCC's _mm512_* functions and __m512 types for the rest of the
// translation unit, while the 256-bit intrinsics (the transposing pack) stay native.
//
// Each function reproduces the instruction's result bit for bit under the default MXCSR
// (round to nearest, no FTZ/DAZ), which is also what plain C++ float arithmetic uses:
//  - fmadd/fnmadd round once (__builtin_fmaf), like VFMADD/VFNMADD;
//  - min/max return the second operand when either is NaN, and for -0 vs +0, like
//    VMINPS/VMAXPS (the kernels rely on that to let NaN through);
//  - compares are the ordered/unordered predicates the code names.
// An intrinsic missing here is not silently run natively: GCC's own _mm512_* functions are
// always_inline with target("avx512f"), so calling one from this -mavx2 translation unit
// fails to compile ("target specific option mismatch").
#ifndef SOFTAC_TEST_AVX512_EMU_H
#define SOFTAC_TEST_AVX512_EMU_H

#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <cstring>

namespace emu512 {
namespace {  // internal linkage, as everything else in the kernel translation unit

struct m512 {
  float f[16];
};
struct m512i {
  int32_t i[16];
};
typedef uint16_t mmask16;

inline bool bit(mmask16 k, int lane) { return (k >> lane) & 1; }

// r[i] = f(i) for the 16 lanes: the one loop every float operation below is written with.
template <class F>
inline m512 lanes(F f) {
  m512 r;
  for (int l = 0; l < 16; ++l) r.f[l] = f(l);
  return r;
}
template <class F>
inline m512i lanes_i(F f) {
  m512i r;
  for (int l = 0; l < 16; ++l) r.i[l] = f(l);
  return r;
}

inline m512 loadu_ps(const void* p) {
  m512 r;
  std::memcpy(r.f, p, sizeof r.f);
  return r;
}
inline void storeu_ps(void* p, m512 a) { std::memcpy(p, a.f, sizeof a.f); }
inline m512 set1_ps(float a) {
  return lanes([=](int) { return a; });
}
inline m512 setzero_ps() { return set1_ps(0.0f); }
inline float cvtss_f32(m512 a) { return a.f[0]; }

inline m512 add_ps(m512 a, m512 b) {
  return lanes([&](int l) { return a.f[l] + b.f[l]; });
}
inline m512 sub_ps(m512 a, m512 b) {
  return lanes([&](int l) { return a.f[l] - b.f[l]; });
}
inline m512 mul_ps(m512 a, m512 b) {
  return lanes([&](int l) { return a.f[l] * b.f[l]; });
}
inline m512 div_ps(m512 a, m512 b) {
  return lanes([&](int l) { return a.f[l] / b.f[l]; });
}
inline m512 fmadd_ps(m512 a, m512 b, m512 c) {
  return lanes([&](int l) { return __builtin_fmaf(a.f[l], b.f[l], c.f[l]); });
}
// -(a*b) + c rounded once; negating a first is exact, so this is that same single rounding.
inline m512 fnmadd_ps(m512 a, m512 b, m512 c) {
  return lanes([&](int l) { return __builtin_fmaf(-a.f[l], b.f[l], c.f[l]); });
}
inline m512 maskz_min_ps(mmask16 k, m512 a, m512 b) {
  return lanes([&](int l) { return bit(k, l) ? (a.f[l] < b.f[l] ? a.f[l] : b.f[l]) : 0.0f; });
}
inline m512 maskz_max_ps(mmask16 k, m512 a, m512 b) {
  return lanes([&](int l) { return bit(k, l) ? (a.f[l] > b.f[l] ? a.f[l] : b.f[l]) : 0.0f; });
}
inline m512 maskz_sqrt_ps(mmask16 k, m512 a) {
  return lanes([&](int l) { return bit(k, l) ? std::sqrt(a.f[l]) : 0.0f; });
}
// mask_blend takes b where the mask bit is set, a elsewhere.
inline m512 mask_blend_ps(mmask16 k, m512 a, m512 b) {
  return lanes([&](int l) { return bit(k, l) ? b.f[l] : a.f[l]; });
}

// Bit casts, and the bitwise float operations on those bits.
inline m512i castps_si512(m512 a) {
  m512i r;
  std::memcpy(r.i, a.f, sizeof r.i);
  return r;
}
inline m512 castsi512_ps(m512i a) {
  m512 r;
  std::memcpy(r.f, a.i, sizeof r.f);
  return r;
}
template <class F>
inline m512 bitwise(m512 a, m512 b, F f) {
  const m512i x = castps_si512(a), y = castps_si512(b);
  return castsi512_ps(lanes_i([&](int l) {
    return static_cast<int32_t>(f(static_cast<uint32_t>(x.i[l]), static_cast<uint32_t>(y.i[l])));
  }));
}
inline m512 and_ps(m512 a, m512 b) {
  return bitwise(a, b, [](uint32_t x, uint32_t y) { return x & y; });
}
inline m512 andnot_ps(m512 a, m512 b) {  // ~a & b
  return bitwise(a, b, [](uint32_t x, uint32_t y) { return ~x & y; });
}
inline m512 or_ps(m512 a, m512 b) {
  return bitwise(a, b, [](uint32_t x, uint32_t y) { return x | y; });
}

// The predicate is a template argument so that one the kernels start using without an
// emulation here stops the build instead of computing something else.
template <int P>
inline mmask16 cmp_ps_mask(m512 a, m512 b) {
  static_assert(P == _CMP_EQ_OQ || P == _CMP_LT_OQ || P == _CMP_LE_OQ || P == _CMP_GT_OQ ||
                    P == _CMP_UNORD_Q,
                "predicate not emulated");
  mmask16 k = 0;
  for (int l = 0; l < 16; ++l) {
    const float x = a.f[l], y = b.f[l];
    // The quiet comparison macros: false on NaN (true for unordered), never trapping.
    const bool t = P == _CMP_EQ_OQ   ? x == y
                   : P == _CMP_LT_OQ ? std::isless(x, y)
                   : P == _CMP_LE_OQ ? std::islessequal(x, y)
                   : P == _CMP_GT_OQ ? std::isgreater(x, y)
                                     : std::isunordered(x, y);
    k = static_cast<mmask16>(k | (t ? 1u << l : 0u));
  }
  return k;
}

// Integer lanes wrap (VPADDD/VPSUBD), computed unsigned to stay clear of signed overflow.
inline m512i set1_epi32(int32_t a) {
  return lanes_i([=](int) { return a; });
}
inline m512i add_epi32(m512i a, m512i b) {
  return lanes_i([&](int l) {
    return static_cast<int32_t>(static_cast<uint32_t>(a.i[l]) + static_cast<uint32_t>(b.i[l]));
  });
}
inline m512i sub_epi32(m512i a, m512i b) {
  return lanes_i([&](int l) {
    return static_cast<int32_t>(static_cast<uint32_t>(a.i[l]) - static_cast<uint32_t>(b.i[l]));
  });
}
// Shift counts above 31 give 0 (logical) or the sign in every bit (arithmetic), as VPSLLD /
// VPSRAD do. GCC's >> on a negative int32 is arithmetic.
inline m512i maskz_slli_epi32(mmask16 k, m512i a, unsigned n) {
  return lanes_i([&](int l) {
    return bit(k, l) && n < 32 ? static_cast<int32_t>(static_cast<uint32_t>(a.i[l]) << n) : 0;
  });
}
inline m512i maskz_srai_epi32(mmask16 k, m512i a, unsigned n) {
  return lanes_i([&](int l) { return bit(k, l) ? a.i[l] >> (n < 32 ? n : 31) : 0; });
}
// int32 -> float rounds to nearest (MXCSR default), as the C++ conversion does here.
inline m512 maskz_cvtepi32_ps(mmask16 k, m512i a) {
  return lanes([&](int l) { return bit(k, l) ? static_cast<float>(a.i[l]) : 0.0f; });
}

}  // namespace
}  // namespace emu512

#define __m512 emu512::m512
#define __m512i emu512::m512i
#define __mmask16 emu512::mmask16
#define _mm512_loadu_ps emu512::loadu_ps
#define _mm512_storeu_ps emu512::storeu_ps
#define _mm512_set1_ps emu512::set1_ps
#define _mm512_setzero_ps emu512::setzero_ps
#define _mm512_cvtss_f32 emu512::cvtss_f32
#define _mm512_add_ps emu512::add_ps
#define _mm512_sub_ps emu512::sub_ps
#define _mm512_mul_ps emu512::mul_ps
#define _mm512_div_ps emu512::div_ps
#define _mm512_fmadd_ps emu512::fmadd_ps
#define _mm512_fnmadd_ps emu512::fnmadd_ps
#define _mm512_maskz_min_ps emu512::maskz_min_ps
#define _mm512_maskz_max_ps emu512::maskz_max_ps
#define _mm512_maskz_sqrt_ps emu512::maskz_sqrt_ps
#define _mm512_mask_blend_ps emu512::mask_blend_ps
#define _mm512_castps_si512 emu512::castps_si512
#define _mm512_castsi512_ps emu512::castsi512_ps
#define _mm512_and_ps emu512::and_ps
#define _mm512_andnot_ps emu512::andnot_ps
#define _mm512_or_ps emu512::or_ps
#define _mm512_cmp_ps_mask(a, b, p) emu512::cmp_ps_mask<(p)>((a), (b))
#define _mm512_set1_epi32 emu512::set1_epi32
#define _mm512_add_epi32 emu512::add_epi32
#define _mm512_sub_epi32 emu512::sub_epi32
#define _mm512_maskz_slli_epi32 emu512::maskz_slli_epi32
#define _mm512_maskz_srai_epi32 emu512::maskz_srai_epi32
#define _mm512_maskz_cvtepi32_ps emu512::maskz_cvtepi32_ps

#endif  // SOFTAC_TEST_AVX512_EMU_H
