// The NEON vector (AArch64 Advanced SIMD): 4 floats in a float32x4_t. Included by
// kernels_neon.cc inside its anonymous namespace. fma() is a real fused multiply-add.
// min/max are NOT FMIN/FMAX: those treat NaN and signed zeros differently from x86, so
// they are built from a compare and a bit-select with the x86 rule (a < b ? a : b; a NaN
// in either operand returns the SECOND operand). Every path then agrees bit for bit.
struct V {
  typedef float32x4_t T;
  typedef int32x4_t I;
  typedef uint32x4_t M;
  static constexpr int W = 4;

  static inline T load(const float* p) { return vld1q_f32(p); }
  static inline void store(float* p, T a) { vst1q_f32(p, a); }
  static inline T set1(float a) { return vdupq_n_f32(a); }
  static inline T zero() { return vdupq_n_f32(0.0f); }

  // The first n (1..3) floats of p, zeros in the other lanes; reads nothing past p[n-1].
  static inline T load_first(const float* p, int n) {
    float t[4] = {};
    __builtin_memcpy(t, p, (size_t)n * sizeof(float));
    return vld1q_f32(t);
  }
  // Stores the first n (1..4) lanes of a to p, touching nothing past p[n-1].
  static inline void store_first(float* p, T a, int n) {
    if (n == 4) {
      vst1q_f32(p, a);
      return;
    }
    float t[4];
    vst1q_f32(t, a);
    __builtin_memcpy(p, t, (size_t)n * sizeof(float));
  }
  // Transposes the 4x4 block whose rows are x[0..3], in registers (TRN1/TRN2 on 32-bit,
  // then on 64-bit lanes).
  static inline void transpose(T (&x)[W]) {
    const float32x4_t t0 = vtrn1q_f32(x[0], x[1]), t1 = vtrn2q_f32(x[0], x[1]);
    const float32x4_t t2 = vtrn1q_f32(x[2], x[3]), t3 = vtrn2q_f32(x[2], x[3]);
    const float64x2_t d0 = vreinterpretq_f64_f32(t0), d1 = vreinterpretq_f64_f32(t1);
    const float64x2_t d2 = vreinterpretq_f64_f32(t2), d3 = vreinterpretq_f64_f32(t3);
    x[0] = vreinterpretq_f32_f64(vtrn1q_f64(d0, d2));
    x[1] = vreinterpretq_f32_f64(vtrn1q_f64(d1, d3));
    x[2] = vreinterpretq_f32_f64(vtrn2q_f64(d0, d2));
    x[3] = vreinterpretq_f32_f64(vtrn2q_f64(d1, d3));
  }

  static inline T add(T a, T b) { return vaddq_f32(a, b); }
  static inline T sub(T a, T b) { return vsubq_f32(a, b); }
  static inline T mul(T a, T b) { return vmulq_f32(a, b); }
  static inline T div(T a, T b) { return vdivq_f32(a, b); }
  static inline T fma(T a, T b, T c) { return vfmaq_f32(c, a, b); }
  static inline T fnma(T a, T b, T c) { return vfmsq_f32(c, a, b); }
  static inline T min(T a, T b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
  static inline T max(T a, T b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
  static inline T sqrt(T a) { return vsqrtq_f32(a); }

  static inline I as_int(T a) { return vreinterpretq_s32_f32(a); }
  static inline T as_float(I a) { return vreinterpretq_f32_s32(a); }
  static inline T abs(T a) { return vabsq_f32(a); }
  static inline T sign(T a) {
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(a), vdupq_n_u32(0x80000000u)));
  }
  static inline T or_(T a, T b) {
    return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b)));
  }

  // FCMxx are ordered: false when either operand is NaN.
  static inline M lt(T a, T b) { return vcltq_f32(a, b); }
  static inline M le(T a, T b) { return vcleq_f32(a, b); }
  static inline M gt(T a, T b) { return vcgtq_f32(a, b); }
  static inline M eq(T a, T b) { return vceqq_f32(a, b); }
  static inline M is_nan(T a) { return vmvnq_u32(vceqq_f32(a, a)); }
  static inline M and_m(M a, M b) { return vandq_u32(a, b); }
  static inline T select(M m, T a, T b) { return vbslq_f32(m, a, b); }

  static inline I set1_i(int32_t a) { return vdupq_n_s32(a); }
  static inline I add_i(I a, I b) { return vaddq_s32(a, b); }
  static inline I sub_i(I a, I b) { return vsubq_s32(a, b); }
  static inline I shl23(I a) { return vshlq_n_s32(a, 23); }
  static inline I sra23(I a) { return vshrq_n_s32(a, 23); }
  static inline I sra1(I a) { return vshrq_n_s32(a, 1); }
  static inline T to_float(I a) { return vcvtq_f32_s32(a); }
};
