// The WebAssembly SIMD128 vector: 4 floats in a v128_t. Included by kernels_wasm.cc inside
// its anonymous namespace. SIMD128 has no fused multiply-add (relaxed-simd's is not in
// Node 20 without a flag, and its rounding is implementation-defined), so fma() rounds
// twice, as the scalar path does: with W = 4 and the same lane orders, this path gives the
// scalar path's bits. min/max are not f32x4.min/max (those propagate NaN and order the
// signed zeros) nor pmin/pmax (b < a ? b : a): they are built from a compare and a select
// with the x86 rule (a < b ? a : b; a NaN in either operand returns the SECOND operand).
struct V {
  typedef v128_t T;
  typedef v128_t I;
  typedef v128_t M;
  static constexpr int W = 4;

  static inline T load(const float* p) { return wasm_v128_load(p); }
  static inline void store(float* p, T a) { wasm_v128_store(p, a); }
  static inline T set1(float a) { return wasm_f32x4_splat(a); }
  static inline T zero() { return wasm_f32x4_splat(0.0f); }

  // The first n (1..3) floats of p, zeros in the other lanes; reads nothing past p[n-1].
  static inline T load_first(const float* p, int n) {
    float t[4] = {};
    __builtin_memcpy(t, p, (size_t)n * sizeof(float));
    return wasm_v128_load(t);
  }
  // Stores the first n (1..4) lanes of a to p, touching nothing past p[n-1].
  static inline void store_first(float* p, T a, int n) {
    if (n == 4) {
      wasm_v128_store(p, a);
      return;
    }
    float t[4];
    wasm_v128_store(t, a);
    __builtin_memcpy(p, t, (size_t)n * sizeof(float));
  }
  // Transposes the 4x4 block whose rows are x[0..3], in registers (two rounds of shuffles,
  // as _MM_TRANSPOSE4_PS).
  static inline void transpose(T (&x)[W]) {
    const v128_t t0 = wasm_i32x4_shuffle(x[0], x[1], 0, 4, 1, 5);
    const v128_t t1 = wasm_i32x4_shuffle(x[0], x[1], 2, 6, 3, 7);
    const v128_t t2 = wasm_i32x4_shuffle(x[2], x[3], 0, 4, 1, 5);
    const v128_t t3 = wasm_i32x4_shuffle(x[2], x[3], 2, 6, 3, 7);
    x[0] = wasm_i64x2_shuffle(t0, t2, 0, 2);
    x[1] = wasm_i64x2_shuffle(t0, t2, 1, 3);
    x[2] = wasm_i64x2_shuffle(t1, t3, 0, 2);
    x[3] = wasm_i64x2_shuffle(t1, t3, 1, 3);
  }

  static inline T add(T a, T b) { return wasm_f32x4_add(a, b); }
  static inline T sub(T a, T b) { return wasm_f32x4_sub(a, b); }
  static inline T mul(T a, T b) { return wasm_f32x4_mul(a, b); }
  static inline T div(T a, T b) { return wasm_f32x4_div(a, b); }
  static inline T fma(T a, T b, T c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }
  static inline T fnma(T a, T b, T c) { return wasm_f32x4_sub(c, wasm_f32x4_mul(a, b)); }
  static inline T min(T a, T b) { return wasm_v128_bitselect(a, b, wasm_f32x4_lt(a, b)); }
  static inline T max(T a, T b) { return wasm_v128_bitselect(a, b, wasm_f32x4_gt(a, b)); }
  static inline T sqrt(T a) { return wasm_f32x4_sqrt(a); }

  static inline I as_int(T a) { return a; }
  static inline T as_float(I a) { return a; }
  static inline T abs(T a) { return wasm_f32x4_abs(a); }
  static inline T sign(T a) { return wasm_v128_and(a, wasm_i32x4_splat(INT32_MIN)); }
  static inline T or_(T a, T b) { return wasm_v128_or(a, b); }

  // The compares are ordered: false when either operand is NaN.
  static inline M lt(T a, T b) { return wasm_f32x4_lt(a, b); }
  static inline M le(T a, T b) { return wasm_f32x4_le(a, b); }
  static inline M gt(T a, T b) { return wasm_f32x4_gt(a, b); }
  static inline M eq(T a, T b) { return wasm_f32x4_eq(a, b); }
  static inline M is_nan(T a) { return wasm_f32x4_ne(a, a); }
  static inline M and_m(M a, M b) { return wasm_v128_and(a, b); }
  static inline T select(M m, T a, T b) { return wasm_v128_bitselect(a, b, m); }

  static inline I set1_i(int32_t a) { return wasm_i32x4_splat(a); }
  static inline I add_i(I a, I b) { return wasm_i32x4_add(a, b); }
  static inline I sub_i(I a, I b) { return wasm_i32x4_sub(a, b); }
  static inline I shl23(I a) { return wasm_i32x4_shl(a, 23); }
  static inline I sra23(I a) { return wasm_i32x4_shr(a, 23); }
  static inline I sra1(I a) { return wasm_i32x4_shr(a, 1); }
  static inline T to_float(I a) { return wasm_f32x4_convert_i32x4(a); }
};
