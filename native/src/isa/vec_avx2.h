// The AVX2 vector: 8 floats in a __m256. Included by kernels_avx2.cc (built -mavx2 -mfma)
// inside its anonymous namespace. fma() is a real fused multiply-add.
// min/max are MINPS/MAXPS (a < b ? a : b): a NaN in either operand returns the SECOND
// operand, so callers put the data operand second to let NaN through.
struct V {
  typedef __m256 T;
  typedef __m256i I;
  typedef __m256 M;  // all-ones / all-zeros lanes, as the compare instructions give them
  static constexpr int W = 8;

  static inline T load(const float* p) { return _mm256_loadu_ps(p); }
  static inline void store(float* p, T a) { _mm256_storeu_ps(p, a); }
  static inline T set1(float a) { return _mm256_set1_ps(a); }
  static inline T zero() { return _mm256_setzero_ps(); }

  static inline T add(T a, T b) { return _mm256_add_ps(a, b); }
  static inline T sub(T a, T b) { return _mm256_sub_ps(a, b); }
  static inline T mul(T a, T b) { return _mm256_mul_ps(a, b); }
  static inline T div(T a, T b) { return _mm256_div_ps(a, b); }
  static inline T fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static inline T fnma(T a, T b, T c) { return _mm256_fnmadd_ps(a, b, c); }
  static inline T min(T a, T b) { return _mm256_min_ps(a, b); }
  static inline T max(T a, T b) { return _mm256_max_ps(a, b); }
  static inline T sqrt(T a) { return _mm256_sqrt_ps(a); }

  static inline I as_int(T a) { return _mm256_castps_si256(a); }
  static inline T as_float(I a) { return _mm256_castsi256_ps(a); }
  static inline T abs(T a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static inline T sign(T a) { return _mm256_and_ps(_mm256_set1_ps(-0.0f), a); }
  static inline T or_(T a, T b) { return _mm256_or_ps(a, b); }

  // Ordered, non-signalling predicates: false when either operand is NaN.
  static inline M lt(T a, T b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static inline M le(T a, T b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
  static inline M gt(T a, T b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static inline M eq(T a, T b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static inline M is_nan(T a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  static inline M and_m(M a, M b) { return _mm256_and_ps(a, b); }
  static inline T select(M m, T a, T b) { return _mm256_blendv_ps(b, a, m); }

  static inline I set1_i(int32_t a) { return _mm256_set1_epi32(a); }
  static inline I add_i(I a, I b) { return _mm256_add_epi32(a, b); }
  static inline I sub_i(I a, I b) { return _mm256_sub_epi32(a, b); }
  static inline I shl23(I a) { return _mm256_slli_epi32(a, 23); }
  static inline I sra23(I a) { return _mm256_srai_epi32(a, 23); }
  static inline I sra1(I a) { return _mm256_srai_epi32(a, 1); }
  static inline T to_float(I a) { return _mm256_cvtepi32_ps(a); }
};
