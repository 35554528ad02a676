// The AVX-512 vector: 16 floats in a __m512, masks in opmask registers. Included by
// kernels_avx512.cc (built -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma) inside its
// anonymous namespace. fma() is a real fused multiply-add.
// min/max are VMINPS/VMAXPS, same rule as SSE/AVX (a < b ? a : b): a NaN in either operand
// returns the SECOND operand, so callers put the data operand second to let NaN through.
struct V {
  typedef __m512 T;
  typedef __m512i I;
  typedef __mmask16 M;
  static constexpr int W = 16;
  // Some operations below use their zero-masked form under an all-ones mask (the same
  // instruction): GCC 12's unmasked forms start from _mm512_undefined_*(), which trips a
  // false -Wmaybe-uninitialized once inlined (GCC PR 105593).
  static constexpr __mmask16 kAll = 0xffff;

  static inline T load(const float* p) { return _mm512_loadu_ps(p); }
  static inline void store(float* p, T a) { _mm512_storeu_ps(p, a); }
  static inline T set1(float a) { return _mm512_set1_ps(a); }
  static inline T zero() { return _mm512_setzero_ps(); }

  static inline T add(T a, T b) { return _mm512_add_ps(a, b); }
  static inline T sub(T a, T b) { return _mm512_sub_ps(a, b); }
  static inline T mul(T a, T b) { return _mm512_mul_ps(a, b); }
  static inline T div(T a, T b) { return _mm512_div_ps(a, b); }
  static inline T fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static inline T fnma(T a, T b, T c) { return _mm512_fnmadd_ps(a, b, c); }
  static inline T min(T a, T b) { return _mm512_maskz_min_ps(kAll, a, b); }
  static inline T max(T a, T b) { return _mm512_maskz_max_ps(kAll, a, b); }
  static inline T sqrt(T a) { return _mm512_maskz_sqrt_ps(kAll, a); }

  static inline I as_int(T a) { return _mm512_castps_si512(a); }
  static inline T as_float(I a) { return _mm512_castsi512_ps(a); }
  static inline T abs(T a) { return _mm512_andnot_ps(_mm512_set1_ps(-0.0f), a); }  // DQ
  static inline T sign(T a) { return _mm512_and_ps(_mm512_set1_ps(-0.0f), a); }     // DQ
  static inline T or_(T a, T b) { return _mm512_or_ps(a, b); }                      // DQ

  // Ordered, non-signalling predicates: false when either operand is NaN.
  static inline M lt(T a, T b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static inline M le(T a, T b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
  static inline M gt(T a, T b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static inline M eq(T a, T b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static inline M is_nan(T a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static inline M and_m(M a, M b) { return (M)(a & b); }
  // mask_blend takes its second source where the mask bit is set.
  static inline T select(M m, T a, T b) { return _mm512_mask_blend_ps(m, b, a); }

  static inline I set1_i(int32_t a) { return _mm512_set1_epi32(a); }
  static inline I add_i(I a, I b) { return _mm512_add_epi32(a, b); }
  static inline I sub_i(I a, I b) { return _mm512_sub_epi32(a, b); }
  static inline I shl23(I a) { return _mm512_maskz_slli_epi32(kAll, a, 23); }
  static inline I sra23(I a) { return _mm512_maskz_srai_epi32(kAll, a, 23); }
  static inline I sra1(I a) { return _mm512_maskz_srai_epi32(kAll, a, 1); }
  static inline T to_float(I a) { return _mm512_maskz_cvtepi32_ps(kAll, a); }
};
