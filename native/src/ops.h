// The threaded driver over the active kernel table: what the addon (and the native test
// driver) call. Arguments are assumed valid here; addon.cc validates before calling.
// Work is split by shape only (see pool.h), so results never depend on the thread count.
#pragma once
#include <cstdint>

namespace softac {

// C = alpha * op(A) * op(B) + beta * C (+ bias[n], ReLU); shapes as in kernels.h.
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C, const float* bias = nullptr, bool relu = false,
          const float* mask = nullptr);
// out (B,O) = inp (B,I) * weight^T (weight is (O,I)) + bias (O), ReLU if relu.
void linear_forward(float* out, const float* inp, const float* weight, const float* bias,
                    int64_t B, int64_t I, int64_t O, bool relu);
// dinp (B,I) += dout weight; dweight (O,I) += dout^T inp; dbias (O) += colsum(dout).
// Null outputs are skipped.
void linear_backward(float* dinp, float* dweight, float* dbias, const float* dout,
                     const float* inp, const float* weight, int64_t B, int64_t I, int64_t O);

// dinp (B,I) = mask > 0 ? dout weight : 0, written (not accumulated); mask (B,I) may be
// null. The input gradient of a layer whose input is a ReLU's output, through that ReLU:
// what linear_backward onto zeros followed by relu_grad gives, bit for bit, in one pass.
void linear_input_grad(float* dinp, const float* dout, const float* weight, const float* mask,
                       int64_t B, int64_t I, int64_t O);

void tanh_forward(float* out, const float* x, int64_t n);
void tanh_backward(float* dx, const float* dy, const float* y, int64_t n);
void exp_forward(float* out, const float* x, int64_t n);
void log_forward(float* out, const float* x, int64_t n);
void softplus_forward(float* out, const float* x, int64_t n);
void relu_forward(float* out, const float* x, int64_t n);
void relu_backward(float* dx, const float* dy, const float* y, int64_t n);
void relu_grad(float* out, const float* dy, const float* y, int64_t n);
void clamp_forward(float* out, const float* x, float lo, float hi, int64_t n);
void clamp_backward(float* dx, const float* dy, const float* x, float lo, float hi, int64_t n);
void minimum_forward(float* out, const float* a, const float* b, int64_t n);
void minimum_backward(float* da, float* db, const float* dy, const float* a, const float* b,
                      int64_t n);
void add(float* out, const float* a, const float* b, int64_t n);
void mul(float* out, const float* a, const float* b, int64_t n);
void axpy(float* y, float alpha, const float* x, int64_t n);
void scale(float* out, const float* x, float alpha, int64_t n);
float sum(const float* x, int64_t n);
void sum_rows(float* out, const float* x, int64_t rows, int64_t cols);
void sum_cols_acc(float* out, const float* x, int64_t rows, int64_t cols);
void squash_forward(float* a, float* logp, const float* mu, const float* log_std,
                    const float* eps, const float* scale, const float* shift, int64_t rows,
                    int64_t A);
void squash_backward(float* dmu, float* dlog_std, const float* da, const float* dlogp,
                     const float* mu, const float* log_std, const float* eps, const float* scale,
                     int64_t rows, int64_t A);
// One Adam step at step t >= 1 (bias corrections computed here in double, as PyTorch does).
void adam(float* p, const float* g, float* m, float* v, int64_t n, int64_t t, double lr,
          double beta1, double beta2, double eps, double weight_decay);
void polyak(float* targ, const float* p, double polyak, int64_t n);
void fill(float* x, float value, int64_t n);

// Single-thread FMA peak of the active path in GFLOPS (best of a few ~20 ms runs).
double fma_peak_gflops();

}  // namespace softac
