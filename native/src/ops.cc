#include "ops.h"

#include <chrono>
#include <cmath>

#include "dispatch.h"
#include "pool.h"

namespace softac {
namespace {

// Below these sizes a kernel runs on the calling thread: waking the pool costs more than
// the work. (Element counts; for GEMM, multiply-adds.)
constexpr int64_t kMinParallelElems = 1 << 15;
// GEMM work counts a multiply-add per (m, n, k) and one more per element of C (writing C
// is what dominates at K = 1). 256x256x1 (131k) runs alone: split, it was 1.7x slower.
constexpr int64_t kMinParallelMacs = 1 << 18;
// Element-wise chunks start on multiples of this, so each thread's range is cache-line
// aligned (the kernels give the same result for any split anyway).
constexpr int64_t kChunkAlign = 64;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Tasks for `work` units of size `unit`, at most one per thread.
int64_t task_count(int64_t units, int64_t work, int64_t min_work) {
  const int64_t threads = num_threads();
  if (threads <= 1 || work < min_work || units <= 1) return 1;
  return units < threads ? units : threads;
}

// [begin, end) of task t when `units` are split into `tasks` near-equal parts.
void split(int64_t units, int64_t tasks, int64_t t, int64_t* begin, int64_t* end) {
  *begin = units * t / tasks;
  *end = units * (t + 1) / tasks;
}

// Runs f(begin, end) over [0, n) in aligned chunks, one per thread when n is large.
template <class F>
void for_range(int64_t n, F&& f) {
  const int64_t units = ceil_div(n, kChunkAlign);
  const int64_t tasks = task_count(units, n, kMinParallelElems);
  if (tasks == 1) {
    f(int64_t{0}, n);
    return;
  }
  parallel_for(tasks, [&](int64_t t) {
    int64_t b, e;
    split(units, tasks, t, &b, &e);
    b *= kChunkAlign;
    e = e * kChunkAlign < n ? e * kChunkAlign : n;
    if (b < e) f(b, e);
  });
}

// Runs f(r0, r1) over rows, one block of rows per thread when rows*cols is large.
template <class F>
void for_rows(int64_t rows, int64_t cols, F&& f) {
  const int64_t tasks = task_count(rows, rows * cols, kMinParallelElems);
  if (tasks == 1) {
    f(int64_t{0}, rows);
    return;
  }
  parallel_for(tasks, [&](int64_t t) {
    int64_t b, e;
    split(rows, tasks, t, &b, &e);
    if (b < e) f(b, e);
  });
}

}  // namespace

void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C, const float* bias, bool relu, const float* mask) {
  if (M == 0 || N == 0) return;
  if (K == 0) {  // op(A) op(B) is all zeros: only beta and the epilogue act
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) {
        float c = beta == 0.0f ? 0.0f : beta * C[i * N + j];
        if (bias) c += bias[j];
        if (relu && c < 0.0f) c = 0.0f;  // NaN passes, as torch.relu
        if (mask && !(mask[i * N + j] > 0.0f)) c = 0.0f;
        C[i * N + j] = c;
      }
    return;
  }
  const softac_kernel_table* k = active();
  // Split C into a grid of tiles aligned to the micro-tile along its longer side (in
  // micro-tiles), one tile per thread. Every element goes through the same packed
  // micro-kernel whatever tile it falls in, so the split does not change a single bit.
  //
  // Which side: a tile packs the right operand's panels for its columns and the left
  // operand's for its rows, so a split by rows packs all of op(B) once per tile, and a
  // split by columns all of op(A). When the kernel reads op(A) in place (a_rows: a
  // row-major A, C not transposed: the forward's x W^T and the input gradient's dy W), a
  // split by columns packs nothing twice, so it is taken whenever C has two column panels.
  // That matters most inside a plan's lane (plan.cc), where one thread may run every tile
  // of the split itself while the other lane is busy: split by rows, it packed the weight
  // matrix twice (a transposing pack for the forward).
  const int64_t mt = ceil_div(M, k->mr), nt = ceil_div(N, k->nr);
  const bool a_in_place = k->a_rows && !ta && !gemm_transposed(M, N, k->nr);
  const bool split_n = a_in_place ? nt >= 2 : nt >= mt;
  const int64_t units = split_n ? nt : mt;
  const int64_t tasks = task_count(units, M * N * (K + 1), kMinParallelMacs);
  if (tasks == 1) {
    k->gemm(ta, tb, M, N, K, alpha, A, B, beta, C, bias, relu, mask, 0, M, 0, N);
    return;
  }
  parallel_for(tasks, [&](int64_t t) {
    int64_t b, e;
    split(units, tasks, t, &b, &e);
    const int64_t step = split_n ? k->nr : k->mr, lim = split_n ? N : M;
    b *= step;
    e = e * step < lim ? e * step : lim;
    if (b >= e) return;
    if (split_n)
      k->gemm(ta, tb, M, N, K, alpha, A, B, beta, C, bias, relu, mask, 0, M, b, e);
    else
      k->gemm(ta, tb, M, N, K, alpha, A, B, beta, C, bias, relu, mask, b, e, 0, N);
  });
}

// A thin product (a layer of one output, or one input row) is one dot product per output:
// dot_rows, split by rows across threads, instead of a GEMM whose packing would copy the
// whole weight matrix to use each element once. The choice depends on the shape alone, so
// runs stay bit-identical for any thread count.
static void thin_forward(float* out, const float* rows_of, const float* vec, int64_t rows,
                         int64_t K, const float* bias, bool bias_per_row, bool relu) {
  const softac_kernel_table* k = active();
  for_rows(rows, K, [&](int64_t r0, int64_t r1) {
    k->dot_rows(out + r0, rows_of + r0 * K, vec, r1 - r0, K);
    for (int64_t r = r0; r < r1; ++r) {
      float v = out[r];
      if (bias) v += bias_per_row ? bias[r] : bias[0];
      if (relu && v < 0.0f) v = 0.0f;  // NaN passes, as in the GEMM epilogue
      out[r] = v;
    }
  });
}

// Below this many inputs a dot product is mostly its final fold, and GEMM's packing of a
// thin operand is cheap: the GEMM path is kept.
constexpr int64_t kThinMinK = 32;

void linear_forward(float* out, const float* inp, const float* weight, const float* bias,
                    int64_t B, int64_t I, int64_t O, bool relu) {
  if (I < kThinMinK) {
    gemm(false, true, B, O, I, 1.0f, inp, weight, 0.0f, out, bias, relu);
    return;
  }
  if (O == 1) return thin_forward(out, inp, weight, B, I, bias, false, relu);
  if (B == 1) return thin_forward(out, weight, inp, O, I, bias, true, relu);
  gemm(false, true, B, O, I, 1.0f, inp, weight, 0.0f, out, bias, relu);
}

// out[r, :] += coef[r] * v for r in [0, rows): the outer product of a thin layer's
// backward, one axpy per row, split by rows.
static void outer_acc(float* out, const float* coef, const float* v, int64_t rows, int64_t cols) {
  const softac_kernel_table* k = active();
  for_rows(rows, cols, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) k->axpy(out + r * cols, coef[r], v, cols);
  });
}

// out[:] += sum_r coef[r] * m[r, :]: rows added in order, split by column ranges (each
// column keeps the same order whatever the split).
static void weighted_row_sum_acc(float* out, const float* coef, const float* m, int64_t rows,
                                 int64_t cols) {
  const softac_kernel_table* k = active();
  for_range(cols, [&](int64_t b, int64_t e) {
    for (int64_t r = 0; r < rows; ++r) k->axpy(out + b, coef[r], m + r * cols + b, e - b);
  });
}

void linear_backward(float* dinp, float* dweight, float* dbias, const float* dout,
                     const float* inp, const float* weight, int64_t B, int64_t I, int64_t O) {
  if (O == 1) {
    // dinp[b, :] += dout[b] w;  dw += sum_b dout[b] inp[b, :]
    if (dinp) outer_acc(dinp, dout, weight, B, I);
    if (dweight) weighted_row_sum_acc(dweight, dout, inp, B, I);
  } else if (B == 1) {
    // dinp += sum_o dout[o] W[o, :];  dW[o, :] += dout[o] inp
    if (dinp) weighted_row_sum_acc(dinp, dout, weight, O, I);
    if (dweight) outer_acc(dweight, dout, inp, O, I);
  } else {
    if (dinp) gemm(false, false, B, I, O, 1.0f, dout, weight, 1.0f, dinp);
    if (dweight) gemm(true, false, O, I, B, 1.0f, dout, inp, 1.0f, dweight);
  }
  if (dbias) sum_cols_acc(dbias, dout, B, O);
}

void linear_input_grad(float* dinp, const float* dout, const float* weight, const float* mask,
                       int64_t B, int64_t I, int64_t O) {
  const softac_kernel_table* k = active();
  if (O == 1) {
    // dinp[b, :] = dout[b] w, row by row (a product rounded once, as axpy onto zeros).
    for_rows(B, I, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        float* row = dinp + r * I;
        k->scale(row, weight, dout[r], I);
        if (mask) k->relu_grad(row, row, mask + r * I, I);
      }
    });
  } else if (B == 1) {
    fill(dinp, 0.0f, I);
    weighted_row_sum_acc(dinp, dout, weight, O, I);
    if (mask) relu_grad(dinp, dinp, mask, I);
  } else {
    gemm(false, false, B, I, O, 1.0f, dout, weight, 0.0f, dinp, nullptr, false, mask);
  }
}

// Unary and binary element-wise kernels: one aligned chunk per thread.
#define SOFTAC_UNARY(name)                                                        \
  void name(float* out, const float* x, int64_t n) {                              \
    const softac_kernel_table* k = active();                                      \
    for_range(n, [&](int64_t b, int64_t e) { k->name(out + b, x + b, e - b); });  \
  }
SOFTAC_UNARY(tanh_forward)
SOFTAC_UNARY(exp_forward)
SOFTAC_UNARY(log_forward)
SOFTAC_UNARY(softplus_forward)
SOFTAC_UNARY(relu_forward)
#undef SOFTAC_UNARY

#define SOFTAC_BINARY(name, o, a1, a2)                                                     \
  void name(float* o, const float* a1, const float* a2, int64_t n) {                       \
    const softac_kernel_table* k = active();                                               \
    for_range(n, [&](int64_t b, int64_t e) { k->name(o + b, a1 + b, a2 + b, e - b); });    \
  }
SOFTAC_BINARY(tanh_backward, dx, dy, y)
SOFTAC_BINARY(relu_backward, dx, dy, y)
SOFTAC_BINARY(relu_grad, out, dy, y)
SOFTAC_BINARY(minimum_forward, out, a, b_)
SOFTAC_BINARY(add, out, a, b_)
SOFTAC_BINARY(mul, out, a, b_)
#undef SOFTAC_BINARY

void clamp_forward(float* out, const float* x, float lo, float hi, int64_t n) {
  const softac_kernel_table* k = active();
  for_range(n, [&](int64_t b, int64_t e) { k->clamp_forward(out + b, x + b, lo, hi, e - b); });
}

void clamp_backward(float* dx, const float* dy, const float* x, float lo, float hi, int64_t n) {
  const softac_kernel_table* k = active();
  for_range(n, [&](int64_t b, int64_t e) {
    k->clamp_backward(dx + b, dy + b, x + b, lo, hi, e - b);
  });
}

void minimum_backward(float* da, float* db, const float* dy, const float* a, const float* b_,
                      int64_t n) {
  const softac_kernel_table* k = active();
  for_range(n, [&](int64_t b, int64_t e) {
    k->minimum_backward(da + b, db + b, dy + b, a + b, b_ + b, e - b);
  });
}

void axpy(float* y, float alpha, const float* x, int64_t n) {
  const softac_kernel_table* k = active();
  for_range(n, [&](int64_t b, int64_t e) { k->axpy(y + b, alpha, x + b, e - b); });
}

void scale(float* out, const float* x, float alpha, int64_t n) {
  const softac_kernel_table* k = active();
  for_range(n, [&](int64_t b, int64_t e) { k->scale(out + b, x + b, alpha, e - b); });
}

// A full reduction is never split across threads: its summation order would then depend
// on the thread count.
float sum(const float* x, int64_t n) { return active()->sum(x, n); }

void sum_rows(float* out, const float* x, int64_t rows, int64_t cols) {
  const softac_kernel_table* k = active();
  for_rows(rows, cols, [&](int64_t r0, int64_t r1) {
    k->sum_rows(out + r0, x + r0 * cols, r1 - r0, cols);
  });
}

// Column sums split by columns: each output still sums its whole column in row order.
void sum_cols_acc(float* out, const float* x, int64_t rows, int64_t cols) {
  const softac_kernel_table* k = active();
  const int64_t units = ceil_div(cols, kChunkAlign);
  const int64_t tasks = task_count(units, rows * cols, kMinParallelElems);
  parallel_for(tasks, [&](int64_t t) {
    int64_t b, e;
    split(units, tasks, t, &b, &e);
    b *= kChunkAlign;
    e = e * kChunkAlign < cols ? e * kChunkAlign : cols;
    if (b < e) k->sum_cols_acc(out + b, x + b, rows, e - b, cols);
  });
}

void squash_forward(float* a, float* logp, const float* mu, const float* log_std,
                    const float* eps, const float* scale_, const float* shift, int64_t rows,
                    int64_t A) {
  const softac_kernel_table* k = active();
  for_rows(rows, A, [&](int64_t r0, int64_t r1) {
    const int64_t o = r0 * A;
    k->squash_forward(a + o, logp ? logp + r0 : nullptr, mu + o, log_std + o, eps + o, scale_,
                      shift, r1 - r0, A);
  });
}

void squash_backward(float* dmu, float* dlog_std, const float* da, const float* dlogp,
                     const float* mu, const float* log_std, const float* eps, const float* scale_,
                     int64_t rows, int64_t A) {
  const softac_kernel_table* k = active();
  for_rows(rows, A, [&](int64_t r0, int64_t r1) {
    const int64_t o = r0 * A;
    k->squash_backward(dmu + o, dlog_std + o, da ? da + o : nullptr, dlogp ? dlogp + r0 : nullptr,
                       mu + o, log_std + o, eps + o, scale_, r1 - r0, A);
  });
}

void adam(float* p, const float* g, float* m, float* v, int64_t n, int64_t t, double lr,
          double beta1, double beta2, double eps, double weight_decay) {
  // torch.optim.Adam (single-tensor): bias corrections and 1 - beta as Python floats
  // (double), rounded once to float32; then step_size = lr / bc1 and
  // denom = sqrt(v) / sqrt(bc2) + eps in float32.
  const double bc1 = 1.0 - std::pow(beta1, static_cast<double>(t));
  const double bc2 = 1.0 - std::pow(beta2, static_cast<double>(t));
  const float step_size = static_cast<float>(lr / bc1);
  const float bc2_sqrt = static_cast<float>(std::sqrt(bc2));
  const softac_kernel_table* k = active();
  for_range(n, [&](int64_t b, int64_t e) {
    k->adam(p + b, g + b, m + b, v + b, e - b, static_cast<float>(beta2),
            static_cast<float>(1.0 - beta1), static_cast<float>(1.0 - beta2),
            static_cast<float>(eps), static_cast<float>(weight_decay), step_size, bc2_sqrt);
  });
}

void polyak(float* targ, const float* p, double polyak_, int64_t n) {
  const float keep = static_cast<float>(polyak_), take = static_cast<float>(1.0 - polyak_);
  const softac_kernel_table* k = active();
  for_range(n, [&](int64_t b, int64_t e) { k->polyak(targ + b, p + b, keep, take, e - b); });
}

void fill(float* x, float value, int64_t n) {
  const softac_kernel_table* k = active();
  for_range(n, [&](int64_t b, int64_t e) { k->fill(x + b, value, e - b); });
}

double fma_peak_gflops() {
  const softac_kernel_table* k = active();
  using clock = std::chrono::steady_clock;
  const auto seconds = [&](int64_t iters, double* flops) {
    const auto t0 = clock::now();
    *flops = k->fma_peak(iters);
    return std::chrono::duration<double>(clock::now() - t0).count();
  };
  double flops = 0, best = 0;
  int64_t iters = 1 << 12;
  while (seconds(iters, &flops) < 0.02 && iters < (int64_t{1} << 40)) iters *= 2;
  for (int rep = 0; rep < 3; ++rep) {
    const double s = seconds(iters, &flops);
    if (s > 0 && flops / s > best) best = flops / s;
  }
  return best * 1e-9;
}

}  // namespace softac
