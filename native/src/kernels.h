// The per-ISA kernel table: the one contract between the dispatcher (baseline code) and
// the ISA translation units (isa/kernels_<isa>.cc). Every entry is a plain function over
// caller-owned buffers; nothing allocates except GEMM's per-thread packing scratch.
//
// Conventions (llm.c style):
//  - all matrices are row-major and contiguous;
//  - `n` counts elements; element-wise entries are called on sub-ranges by the threaded
//    driver (ops.cc), so they must give the same result for an element wherever the range
//    starts or ends (tails go through a padded temporary, never a different formula);
//  - a `_backward` entry ACCUMULATES into its gradient outputs (dx += ...);
//  - outputs never alias inputs unless the entry says so.
#pragma once
#include <cstdint>

// The bounds squash_forward/squash_backward clamp log_std to: Spinning Up's LOG_STD_MIN and
// LOG_STD_MAX (core.py). TypeScript's are LOG_STD_MIN/LOG_STD_MAX in src/kernels/types.ts;
// the addon's info() reports these, and test/kernels/native.test.ts checks that they agree.
constexpr float kLogStdMin = -20.0f;
constexpr float kLogStdMax = 2.0f;

// Whether gemm computes C^T = op(B)^T op(A)^T rather than C (isa/gemm.inc): when C is
// narrow (N <= NR/2, an output layer of width 1 or act_dim) and taller than wide. It
// depends on the shape only, never on the tile; ops.cc's thread split follows it too.
inline bool gemm_transposed(int64_t M, int64_t N, int64_t nr) { return 2 * N <= nr && M > N; }

extern "C" {

typedef struct softac_kernel_table {
  const char* name;  // "scalar" | "avx2" | "avx512" | "neon" | "wasm"
  int mr, nr;        // GEMM micro-tile; the driver aligns thread partitions to these
  // 1 when gemm reads a row-major op(A) (ta = 0, C not transposed) in place instead of
  // packing it: then a split of C by columns packs nothing twice (see ops.cc's gemm).
  int a_rows;

  // C[m0:m1, n0:n1] = alpha * op(A) * op(B) + beta * C, then + bias[n] and ReLU if given.
  // op(A) is (M,K): A is stored (M,K), or (K,M) when ta. op(B) is (K,N): B is stored (K,N),
  // or (N,K) when tb. C is (M,N). beta == 0 never reads C (NaN in C does not leak).
  // bias (length N) and relu are applied after the full K sum (epilogue), bias may be null.
  // mask (M,N like C, may be null) comes last: C = mask > 0 ? C : 0 (a ReLU's backward
  // through the next layer's input gradient; a NaN mask gives 0, as relu_grad).
  void (*gemm)(int ta, int tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
               const float* B, float beta, float* C, const float* bias, int relu,
               const float* mask, int64_t m0, int64_t m1, int64_t n0, int64_t n1);

  void (*tanh_forward)(float* out, const float* x, int64_t n);
  void (*tanh_backward)(float* dx, const float* dy, const float* y, int64_t n);  // dx += dy*(1-y*y)
  void (*exp_forward)(float* out, const float* x, int64_t n);
  void (*log_forward)(float* out, const float* x, int64_t n);
  void (*softplus_forward)(float* out, const float* x, int64_t n);  // log(1+e^x), PyTorch threshold 20
  void (*relu_forward)(float* out, const float* x, int64_t n);
  void (*relu_backward)(float* dx, const float* dy, const float* y, int64_t n);  // dx += y>0 ? dy : 0
  void (*relu_grad)(float* out, const float* dy, const float* y, int64_t n);  // out = y>0 ? dy : 0 (written)
  void (*clamp_forward)(float* out, const float* x, float lo, float hi, int64_t n);
  // dx += (lo <= x <= hi) ? dy : 0   (PyTorch: the bounds themselves pass the gradient)
  void (*clamp_backward)(float* dx, const float* dy, const float* x, float lo, float hi, int64_t n);
  void (*minimum_forward)(float* out, const float* a, const float* b, int64_t n);
  // a<b: da += dy; a>b: db += dy; a==b: da += dy/2, db += dy/2 (PyTorch splits ties)
  void (*minimum_backward)(float* da, float* db, const float* dy, const float* a, const float* b,
                           int64_t n);
  void (*add)(float* out, const float* a, const float* b, int64_t n);  // out may alias a or b
  void (*mul)(float* out, const float* a, const float* b, int64_t n);  // out may alias a or b
  void (*axpy)(float* y, float alpha, const float* x, int64_t n);      // y += alpha*x
  void (*scale)(float* out, const float* x, float alpha, int64_t n);   // out = alpha*x, may alias
  float (*sum)(const float* x, int64_t n);  // fixed summation order for a given n
  // out[r] = sum_c x[r*cols + c] for r in [0, rows)
  void (*sum_rows)(float* out, const float* x, int64_t rows, int64_t cols);
  // out[c] += sum_r x[r*ld + c] for c in [0, cols) (the driver offsets x/out for column ranges)
  void (*sum_cols_acc)(float* out, const float* x, int64_t rows, int64_t cols, int64_t ld);
  // out[r] = sum_c a[r*k + c] * x[c] for r in [0, rows), each row in sum()'s lane order
  // (with fused multiply-adds on the SIMD paths): the thin products of linear layers
  void (*dot_rows)(float* out, const float* a, const float* x, int64_t rows, int64_t k);

  // The squashed Gaussian of Spinning Up, for `rows` rows of `A` action dims:
  //   ls = clamp(log_std, kLogStdMin, kLogStdMax); std = exp(ls);
  //   u = mu + std*eps (a multiply then an add, never fused: u is rounded as PyTorch's
  //   float32 ops round it);
  //   a = scale[j]*tanh(u) + shift[j];
  //   z = (u - mu) / std  (as torch.distributions.Normal.log_prob: with std = e^-20, u rounds
  //   to mu and z is 0, not eps);
  //   logp[r] = sum_j(-0.5*z^2 - ls - 0.5*log(2*pi)) - sum_j 2*(log2 - u - softplus(-2u))
  // logp may be null (with_logprob = False).
  void (*squash_forward)(float* a, float* logp, const float* mu, const float* log_std,
                         const float* eps, const float* scale, const float* shift, int64_t rows,
                         int64_t A);
  // Accumulates d_mu and d_log_std from da (may be null) and dlogp (may be null):
  //   du = da*scale*(1-tanh(u)^2) + dlogp*2*tanh(u)
  //   d_mu += du;  d_log_std += inside_clamp ? du*std*eps - dlogp : 0
  void (*squash_backward)(float* dmu, float* dlog_std, const float* da, const float* dlogp,
                          const float* mu, const float* log_std, const float* eps,
                          const float* scale, int64_t rows, int64_t A);

  // Adam, PyTorch semantics (torch.optim.Adam, single-tensor path). The driver computes in
  // double and rounds once: step_size = lr / (1 - beta1^t), bc2_sqrt = sqrt(1 - beta2^t),
  // w1 = 1 - beta1, w2 = 1 - beta2 (as PyTorch rounds the Python floats; 1 - 0.999f in float
  // would be 0.00099998713, not 0.001f). Per element:
  //   g += weight_decay * p           (only if weight_decay != 0)
  //   m = lerp(m, g, w1)              (PyTorch's lerp: w<0.5 ? m + w*(g-m) : g - (g-m)*(1-w))
  //   v = v*beta2 + (w2*g)*g          (exp_avg_sq.mul_(beta2).addcmul_(g, g, value=w2))
  //   p = p + ((-step_size)*m) / (sqrt(v)/bc2_sqrt + eps)   (param.addcdiv_, in that order)
  void (*adam)(float* p, const float* g, float* m, float* v, int64_t n, float beta2, float w1,
               float w2, float eps, float weight_decay, float step_size, float bc2_sqrt);
  // targ = polyak*targ + (1-polyak)*p, as Spinning Up's mul_ then add_ (two products, one sum,
  // no fused multiply-add), with one_minus = (float)(1 - (double)polyak) from the driver.
  void (*polyak)(float* targ, const float* p, float polyak, float one_minus, int64_t n);
  void (*fill)(float* x, float value, int64_t n);

  // The FMA-throughput probe: runs `iters` rounds of independent FMA chains on this path's
  // widest register and returns the flops done; the caller times it (benchmarks report
  // GFLOPS as a fraction of this peak).
  double (*fma_peak)(int64_t iters);
} softac_kernel_table;

// Each ISA translation unit defines one of these; the ones not built for this target
// architecture are absent (the dispatcher knows which by preprocessor).
const softac_kernel_table* softac_kernels_scalar(void);
const softac_kernel_table* softac_kernels_avx2(void);
const softac_kernel_table* softac_kernels_avx512(void);
const softac_kernel_table* softac_kernels_neon(void);
const softac_kernel_table* softac_kernels_wasm(void);  // wasm/softac.wasm only
}
