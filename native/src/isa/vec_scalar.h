// The scalar "vector": one float lane, so that math.inc and elementwise.inc compile
// unchanged for the portable path. Included by kernels_scalar.cc inside its anonymous
// namespace. The TU is built without FMA flags and with -ffp-contract=off, so fma() below
// really is two roundings (a libm fmaf would be a slow software emulation here).
// min/max copy the x86 MINPS/MAXPS rule (a < b ? a : b) so every path agrees, NaN and
// signed zeros included: a NaN in either operand returns the SECOND operand.
struct V {
  typedef float T;    // one float
  typedef int32_t I;  // its bits
  typedef bool M;     // a lane mask
  static constexpr int W = 1;

  static inline T load(const float* p) { return *p; }
  static inline void store(float* p, T a) { *p = a; }
  static inline T set1(float a) { return a; }
  static inline T zero() { return 0.0f; }

  // The packing primitives (see vec_avx2.h) at one lane: store_first's n is always 1,
  // load_first's n (1..W-1) never comes, and a 1x1 block is its own transpose.
  static inline T load_first(const float* p, int) { return *p; }
  static inline void store_first(float* p, T a, int) { *p = a; }
  static inline void transpose(T (&)[W]) {}

  static inline T add(T a, T b) { return a + b; }
  static inline T sub(T a, T b) { return a - b; }
  static inline T mul(T a, T b) { return a * b; }
  static inline T div(T a, T b) { return a / b; }
  static inline T fma(T a, T b, T c) { return a * b + c; }   // a*b + c, rounded twice here
  static inline T fnma(T a, T b, T c) { return c - a * b; }  // c - a*b, rounded twice here
  static inline T min(T a, T b) { return a < b ? a : b; }
  static inline T max(T a, T b) { return a > b ? a : b; }
  static inline T sqrt(T a) { return __builtin_sqrtf(a); }

  static inline I as_int(T a) {
    I r;
    __builtin_memcpy(&r, &a, sizeof r);
    return r;
  }
  static inline T as_float(I a) {
    T r;
    __builtin_memcpy(&r, &a, sizeof r);
    return r;
  }
  static inline T abs(T a) { return as_float(as_int(a) & 0x7fffffff); }
  static inline T sign(T a) { return as_float(as_int(a) & INT32_MIN); }  // the sign bit alone
  static inline T or_(T a, T b) { return as_float(as_int(a) | as_int(b)); }

  static inline M lt(T a, T b) { return a < b; }
  static inline M le(T a, T b) { return a <= b; }
  static inline M gt(T a, T b) { return a > b; }
  static inline M eq(T a, T b) { return a == b; }
  static inline M is_nan(T a) { return a != a; }
  static inline M and_m(M a, M b) { return a && b; }
  static inline T select(M m, T a, T b) { return m ? a : b; }  // m ? a : b per lane

  // Integer lanes wrap modulo 2^32 as in SIMD registers (computed unsigned: no UB).
  static inline I set1_i(int32_t a) { return a; }
  static inline I add_i(I a, I b) { return (I)((uint32_t)a + (uint32_t)b); }
  static inline I sub_i(I a, I b) { return (I)((uint32_t)a - (uint32_t)b); }
  static inline I shl23(I a) { return (I)((uint32_t)a << 23); }
  static inline I sra23(I a) { return a >> 23; }  // arithmetic: GCC/Clang define it so
  static inline I sra1(I a) { return a >> 1; }
  static inline T to_float(I a) { return (T)a; }
};
