// The C ABI of wasm/softac.wasm: plain exports over ops.h, one per addon entry point
// (addon.cc), with the same positional arguments. No validation here: the only caller is
// src/kernels/wasm.ts, which validates every call (src/kernels/validate.ts) and copies the
// arrays into this module's memory first. Pointers are byte offsets into that memory;
// dimensions are int32 (JavaScript numbers, not BigInts) and the TypeScript checks bound
// them; a null pointer (0) is an absent optional array. Scalars arrive as doubles, and are
// rounded to float exactly where addon.cc rounds them.
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "../kernels.h"
#include "../ops.h"

#define SOFTAC_EXPORT(name) extern "C" __attribute__((export_name(#name)))

using F = float*;
using C = const float*;

// Memory for the caller's staging area: 64-byte aligned, null when the memory cannot grow.
SOFTAC_EXPORT(softac_alloc) void* softac_alloc(uint32_t bytes) {
  return aligned_alloc(64, (bytes + 63u) / 64u * 64u);
}
SOFTAC_EXPORT(softac_free) void softac_free(void* p) { free(p); }

// kernels.h's clamp bounds, which the TypeScript checks against its LOG_STD_MIN/MAX at load.
SOFTAC_EXPORT(softac_log_std_min) double softac_log_std_min() { return kLogStdMin; }
SOFTAC_EXPORT(softac_log_std_max) double softac_log_std_max() { return kLogStdMax; }

SOFTAC_EXPORT(softac_gemm)
void softac_gemm(int ta, int tb, int m, int n, int k, double alpha, C a, C b, double beta, F c) {
  softac::gemm(ta, tb, m, n, k, (float)alpha, a, b, (float)beta, c);
}
SOFTAC_EXPORT(softac_linear_forward)
void softac_linear_forward(F out, C inp, C w, C bias, int B, int I, int O, int relu) {
  softac::linear_forward(out, inp, w, bias, B, I, O, relu);
}
SOFTAC_EXPORT(softac_linear_backward)
void softac_linear_backward(F dinp, F dw, F db, C dout, C inp, C w, int B, int I, int O) {
  softac::linear_backward(dinp, dw, db, dout, inp, w, B, I, O);
}
SOFTAC_EXPORT(softac_linear_input_grad)
void softac_linear_input_grad(F dinp, C dout, C w, C mask, int B, int I, int O) {
  softac::linear_input_grad(dinp, dout, w, mask, B, I, O);
}

#define SOFTAC_UNARY(js, fn) \
  SOFTAC_EXPORT(js) void js(F out, C x, int n) { softac::fn(out, x, n); }
SOFTAC_UNARY(softac_tanh, tanh_forward)
SOFTAC_UNARY(softac_exp, exp_forward)
SOFTAC_UNARY(softac_log, log_forward)
SOFTAC_UNARY(softac_softplus, softplus_forward)
SOFTAC_UNARY(softac_relu, relu_forward)
#undef SOFTAC_UNARY

#define SOFTAC_BINARY(js, fn) \
  SOFTAC_EXPORT(js) void js(F out, C a, C b, int n) { softac::fn(out, a, b, n); }
SOFTAC_BINARY(softac_tanh_backward, tanh_backward)
SOFTAC_BINARY(softac_relu_backward, relu_backward)
SOFTAC_BINARY(softac_relu_grad, relu_grad)
SOFTAC_BINARY(softac_minimum, minimum_forward)
SOFTAC_BINARY(softac_add, add)
SOFTAC_BINARY(softac_mul, mul)
#undef SOFTAC_BINARY

SOFTAC_EXPORT(softac_clamp) void softac_clamp(F out, C x, double lo, double hi, int n) {
  softac::clamp_forward(out, x, (float)lo, (float)hi, n);
}
SOFTAC_EXPORT(softac_clamp_backward)
void softac_clamp_backward(F dx, C dy, C x, double lo, double hi, int n) {
  softac::clamp_backward(dx, dy, x, (float)lo, (float)hi, n);
}
SOFTAC_EXPORT(softac_minimum_backward)
void softac_minimum_backward(F da, F db, C dy, C a, C b, int n) {
  softac::minimum_backward(da, db, dy, a, b, n);
}
SOFTAC_EXPORT(softac_axpy) void softac_axpy(F y, double alpha, C x, int n) {
  softac::axpy(y, (float)alpha, x, n);
}
SOFTAC_EXPORT(softac_scale) void softac_scale(F out, C x, double alpha, int n) {
  softac::scale(out, x, (float)alpha, n);
}
SOFTAC_EXPORT(softac_sum) float softac_sum(C x, int n) { return softac::sum(x, n); }
// float32 division, as torch.mean on a float32 tensor; the mean of nothing is NaN.
SOFTAC_EXPORT(softac_mean) float softac_mean(C x, int n) {
  const float s = softac::sum(x, n);
  return n == 0 ? NAN : s / (float)n;
}
SOFTAC_EXPORT(softac_sum_rows) void softac_sum_rows(F out, C x, int rows, int cols) {
  softac::sum_rows(out, x, rows, cols);
}
SOFTAC_EXPORT(softac_sum_cols_acc) void softac_sum_cols_acc(F out, C x, int rows, int cols) {
  softac::sum_cols_acc(out, x, rows, cols);
}
SOFTAC_EXPORT(softac_squash_forward)
void softac_squash_forward(F a, F logp, C mu, C ls, C eps, C sc, C sh, int rows, int A) {
  softac::squash_forward(a, logp, mu, ls, eps, sc, sh, rows, A);
}
SOFTAC_EXPORT(softac_squash_backward)
void softac_squash_backward(F dmu, F dls, C da, C dlogp, C mu, C ls, C eps, C sc, int rows,
                            int A) {
  softac::squash_backward(dmu, dls, da, dlogp, mu, ls, eps, sc, rows, A);
}
SOFTAC_EXPORT(softac_adam)
void softac_adam(F p, C g, F m, F v, int n, double t, double lr, double b1, double b2,
                 double eps, double wd) {
  softac::adam(p, g, m, v, n, (int64_t)t, lr, b1, b2, eps, wd);
}
SOFTAC_EXPORT(softac_polyak) void softac_polyak(F targ, C p, double rho, int n) {
  softac::polyak(targ, p, rho, n);
}
SOFTAC_EXPORT(softac_fill) void softac_fill(F x, double value, int n) {
  softac::fill(x, (float)value, n);
}
// `iters` rounds of the FMA-throughput probe; returns the flops done (the caller times it).
SOFTAC_EXPORT(softac_fma_peak) double softac_fma_peak(double iters) {
  return softac_kernels_wasm()->fma_peak((int64_t)iters);
}
