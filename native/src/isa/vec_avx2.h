// The AVX2 vector: 8 floats in a __m256. Included by kernels_avx2.cc (built -mavx2 -mfma)
// inside its anonymous namespace, and by kernels_avx512.cc as the vector its GEMM packs
// panels with (see gemm_avx512.inc). fma() is a real fused multiply-add.
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

  // The first n (1..7) floats of p, zeros in the other lanes: a masked load, which neither
  // reads nor faults past p[n-1].
  static inline T load_first(const float* p, int n) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane));
  }
  // Stores the first n (1..8) lanes of a to p, touching nothing past p[n-1].
  static inline void store_first(float* p, T a, int n) {
    if (n == 8) {
      _mm256_storeu_ps(p, a);
      return;
    }
    __m128 x = _mm256_castps256_ps128(a);
    if (n >= 4) {
      _mm_storeu_ps(p, x);
      p += 4;
      n -= 4;
      x = _mm256_extractf128_ps(a, 1);
    }
    if (n >= 2) {
      _mm_storel_pi(reinterpret_cast<__m64*>(p), x);
      p += 2;
      n -= 2;
      x = _mm_movehl_ps(x, x);
    }
    if (n == 1) _mm_store_ss(p, x);
  }
  // Transposes the 8x8 block whose rows are x[0..7], in registers (unpack, shuffle, 128-bit
  // lane permute: 24 shuffles for 64 floats).
  static inline void transpose(T (&x)[W]) {
    // t: pairs of rows interleaved; u: columns j and j+4 of four rows; then the lane
    // permute joins rows 0-3 and 4-7 of one column.
    const __m256 t0 = _mm256_unpacklo_ps(x[0], x[1]), t1 = _mm256_unpackhi_ps(x[0], x[1]);
    const __m256 t2 = _mm256_unpacklo_ps(x[2], x[3]), t3 = _mm256_unpackhi_ps(x[2], x[3]);
    const __m256 t4 = _mm256_unpacklo_ps(x[4], x[5]), t5 = _mm256_unpackhi_ps(x[4], x[5]);
    const __m256 t6 = _mm256_unpacklo_ps(x[6], x[7]), t7 = _mm256_unpackhi_ps(x[6], x[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    x[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    x[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    x[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    x[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    x[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    x[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    x[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    x[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
  }

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
