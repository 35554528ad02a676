// Element-wise kernel tests, run on every path this CPU can run: each table entry against a
// float64 reference on lengths 1, 3, 17, 255, 256, 257 (rows x cols combos for the 2-D
// ones), any split of a range into sub-ranges bit-identical to the whole (the threaded
// driver's contract), max-ULP sweeps of tanh, exp, log and softplus with their special
// values, the squash correction for |u| up to 30, Adam and polyak against PyTorch's
// formula worked out in float, and every SIMD path against the scalar one.
//
// SOFTAC_EXHAUSTIVE=1 also sweeps all 2^32 floats through tanh, exp, log and softplus on
// every path (a few minutes per function and path; the default sweeps take a strided
// subset); SOFTAC_EXHAUSTIVE=tanh does tanh alone.
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "../src/dispatch.h"
#include "check.h"

namespace {

using softac_test::fmt;
typedef std::vector<float> Vec;

const int64_t kLengths[] = {1, 3, 17, 255, 256, 257};
const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();
const double kPi = 3.14159265358979323846;

using softac_test::Rng;

struct Path {
  std::string name;
  const softac_kernel_table* t;
};

std::vector<Path> paths() {
  std::vector<Path> out;
  for (const auto& p : softac::runnable_paths()) out.push_back({p, softac::table_for(p)});
  return out;
}

const softac_kernel_table* scalar_table() { return softac::table_for("scalar"); }

float bits_to_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// First index where two arrays differ bitwise, or -1.
int64_t first_diff(const Vec& a, const Vec& b) {
  if (a.size() != b.size()) return 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same_bits(a[i], b[i])) return static_cast<int64_t>(i);
  return -1;
}

// The error of y in units in the last place of the float nearest ref (the subnormal spacing
// 2^-149 below 2^-126). NaN against NaN and equal infinities count as exact; a result that
// should be finite but is not (or the reverse) counts as infinitely wrong.
double ulp_error(float y, double ref) {
  if (std::isnan(ref)) return std::isnan(y) ? 0.0 : INFINITY;
  if (std::isnan(y)) return INFINITY;
  const float rounded = static_cast<float>(ref);
  if (std::isinf(rounded) || std::isinf(y)) return y == rounded ? 0.0 : INFINITY;
  double ulp = std::ldexp(1.0, -149);
  if (ref != 0.0) {
    int e;
    std::frexp(ref, &e);  // |ref| in [2^(e-1), 2^e): float spacing 2^(e-24)
    ulp = std::ldexp(1.0, e - 24 < -149 ? -149 : e - 24);
  }
  return std::fabs(static_cast<double>(y) - ref) / ulp;
}

double ref_tanh(double x) { return std::tanh(x); }
double ref_exp(double x) { return std::exp(x); }
double ref_log(double x) { return std::log(x); }
// PyTorch's softplus (beta 1, threshold 20).
double ref_softplus(double x) { return x > 20.0 ? x : std::log1p(std::exp(x)); }

typedef void (*UnaryFn)(float*, const float*, int64_t);

struct Unary {
  const char* name;
  UnaryFn softac_kernel_table::*entry;
  double (*ref)(double);
  double bound_ulp;  // the asserted max error; the measured one is printed
};

// The asserted bounds, on every path. Measured over all floats (SOFTAC_EXHAUSTIVE=1, scalar
// and AVX2; NEON gives AVX2's bits): tanh 2.61 ulp, exp 1.04, log 1.06, softplus 1.88.
const Unary kUnary[] = {
    {"tanh", &softac_kernel_table::tanh_forward, ref_tanh, 4.0},
    {"exp", &softac_kernel_table::exp_forward, ref_exp, 2.0},
    {"log", &softac_kernel_table::log_forward, ref_log, 2.0},
    {"softplus", &softac_kernel_table::softplus_forward, ref_softplus, 2.5},
};

struct Worst {
  double ulp = 0.0;
  float x = 0.0f, y = 0.0f;
  double ref = 0.0;
  void see(float xi, float yi, double r) {
    const double e = ulp_error(yi, r);
    if (e > ulp || std::isnan(e)) {
      ulp = std::isnan(e) ? INFINITY : e;
      x = xi;
      y = yi;
      ref = r;
    }
  }
};

// Runs f over the float bit patterns [lo, hi] with the given stride, in blocks.
Worst sweep(const softac_kernel_table* t, const Unary& u, uint64_t lo, uint64_t hi,
            uint64_t stride) {
  const int kBlock = 4096;
  Vec x(kBlock), y(kBlock);
  Worst w;
  uint64_t b = lo;
  while (b <= hi) {
    int n = 0;
    for (; n < kBlock && b <= hi; ++n, b += stride) x[n] = bits_to_float(static_cast<uint32_t>(b));
    (t->*u.entry)(y.data(), x.data(), n);
    for (int i = 0; i < n; ++i) w.see(x[i], y[i], u.ref(x[i]));
  }
  return w;
}

// SOFTAC_EXHAUSTIVE=1 sweeps every float through all four functions; =tanh (or exp, log,
// softplus) through that one only.
bool exhaustive(const char* fn) {
  const char* e = std::getenv("SOFTAC_EXHAUSTIVE");
  if (!e || !*e || std::strcmp(e, "0") == 0) return false;
  return std::strcmp(e, "1") == 0 || std::strcmp(e, fn) == 0;
}

// ---------------------------------------------------------------------------------------
// Transcendental functions: error sweeps and special values.

// The float bit patterns [lo, hi] of one sign: [0x00000000, 0x41200000] is [0, 10].
struct BitRange {
  uint32_t lo, hi;
};

TEST(unary_max_ulp_sweep) {
  // Every 4099th float bit pattern (both signs, all binades, NaNs and infinities), plus a
  // dense sweep of each function's working range: every 97th float in [-10, 10] for tanh,
  // every 1021st in exp's and softplus's finite range and over all positive floats for log.
  // SOFTAC_EXHAUSTIVE takes every float instead (see exhaustive()).
  const BitRange dense[][2] = {
      {{0x00000000u, 0x41200000u}, {0x80000000u, 0xc1200000u}},  // tanh: [-10, 10]
      {{0x00000000u, 0x42b20000u}, {0x80000000u, 0xc2d00000u}},  // exp: [-104, 89]
      {{0x00000000u, 0x7f800000u}, {0x00000000u, 0x00000000u}},  // log: [0, inf]
      {{0x00000000u, 0x41f00000u}, {0x80000000u, 0xc2d00000u}},  // softplus: [-104, 30]
  };
  const uint64_t dense_stride[] = {97, 1021, 1021, 1021};
  for (const auto& p : paths()) {
    for (int f = 0; f < 4; ++f) {
      const Unary& u = kUnary[f];
      const bool all = exhaustive(u.name);
      Worst w = sweep(p.t, u, 0, 0xffffffffull, all ? 1 : 4099);
      if (!all) {
        for (const BitRange& r : dense[f]) {
          const Worst d = sweep(p.t, u, r.lo, r.hi, dense_stride[f]);
          if (d.ulp > w.ulp) w = d;
        }
      }
      std::printf("    %-7s %-9s max %.3f ulp at x=%a (got %a, want %.17g)%s\n", p.name.c_str(),
                  u.name, w.ulp, w.x, w.y, w.ref, all ? " [exhaustive]" : "");
      CHECK(w.ulp <= u.bound_ulp, "%s %s: %.3f ulp > %.1f at x=%a (got %a, want %.17g)",
            p.name.c_str(), u.name, w.ulp, u.bound_ulp, w.x, w.y, w.ref);
    }
  }
}

TEST(unary_random_lengths_vs_float64) {
  struct Range {
    float lo, hi;
  };
  const Range ranges[] = {{-12.0f, 12.0f}, {-100.0f, 90.0f}, {1e-30f, 1e6f}, {-40.0f, 40.0f}};
  for (const auto& p : paths()) {
    for (int k = 0; k < 4; ++k) {
      const Unary& u = kUnary[k];
      for (int64_t n : kLengths) {
        Rng r(static_cast<uint64_t>(n * 7 + k));
        const Vec x = r.vec(n, ranges[k].lo, ranges[k].hi);
        Vec y(static_cast<size_t>(n), -7.0f);
        (p.t->*u.entry)(y.data(), x.data(), n);
        Worst w;
        for (int64_t i = 0; i < n; ++i) w.see(x[i], y[i], u.ref(x[i]));
        CHECK(w.ulp <= u.bound_ulp, "%s %s n=%" PRId64 ": %.3f ulp at x=%a", p.name.c_str(),
              u.name, n, w.ulp, w.x);
      }
    }
  }
}

// Runs one entry over a short list of inputs.
Vec run_unary(const softac_kernel_table* t, UnaryFn softac_kernel_table::*entry, const Vec& x) {
  Vec y(x.size());
  (t->*entry)(y.data(), x.data(), static_cast<int64_t>(x.size()));
  return y;
}

TEST(tanh_special_values) {
  const float tiny = bits_to_float(1), big = 3.4e38f;
  for (const auto& p : paths()) {
    const char* n = p.name.c_str();
    const Vec x = {0.0f, -0.0f, kInf, -kInf, kNaN, -kNaN, 9.5f, -9.5f, 10.0f, 20.0f, -44.0f,
                   1e30f, -big, tiny, -tiny, 1e-20f, 0x1p-126f};
    const Vec y = run_unary(p.t, &softac_kernel_table::tanh_forward, x);
    CHECK(y[0] == 0.0f && !std::signbit(y[0]), "%s tanh(+0) = %a", n, y[0]);
    CHECK(y[1] == 0.0f && std::signbit(y[1]), "%s tanh(-0) = %a", n, y[1]);
    CHECK(y[2] == 1.0f && y[3] == -1.0f, "%s tanh(+-inf) = %a, %a", n, y[2], y[3]);
    CHECK(std::isnan(y[4]) && std::isnan(y[5]), "%s tanh(NaN) = %a, %a", n, y[4], y[5]);
    // Saturation: exactly +-1 once the true value rounds there (|x| > 9.01).
    for (int i = 6; i <= 12; ++i)
      CHECK(y[i] == (x[i] > 0 ? 1.0f : -1.0f), "%s tanh(%a) = %a, want exactly +-1", n, x[i],
            y[i]);
    // Tiny and subnormal inputs: tanh x rounds to x.
    for (int i = 13; i <= 16; ++i) CHECK(y[i] == x[i], "%s tanh(%a) = %a", n, x[i], y[i]);
    // Odd symmetry, bit for bit.
    Rng r(5);
    const Vec a = r.vec(1000, -12.0f, 12.0f);
    Vec na(a.size());
    for (size_t i = 0; i < a.size(); ++i) na[i] = -a[i];
    const Vec ya = run_unary(p.t, &softac_kernel_table::tanh_forward, a);
    const Vec yn = run_unary(p.t, &softac_kernel_table::tanh_forward, na);
    for (size_t i = 0; i < a.size(); ++i)
      CHECK(same_bits(ya[i], -yn[i]), "%s tanh(-x) != -tanh(x) at x=%a", n, a[i]);
  }
}

TEST(exp_log_softplus_special_values) {
  const float sub = bits_to_float(0x00012345u);
  for (const auto& p : paths()) {
    const char* n = p.name.c_str();
    {
      const Vec x = {0.0f, -0.0f, kInf, -kInf, kNaN, 89.0f, 88.8f, 88.72f, -104.0f, -200.0f,
                     -87.5f, -100.0f, 1.0f};
      const Vec y = run_unary(p.t, &softac_kernel_table::exp_forward, x);
      CHECK(y[0] == 1.0f && y[1] == 1.0f, "%s exp(+-0) = %a, %a", n, y[0], y[1]);
      CHECK(y[2] == kInf && y[3] == 0.0f, "%s exp(+-inf) = %a, %a", n, y[2], y[3]);
      CHECK(std::isnan(y[4]), "%s exp(NaN) = %a", n, y[4]);
      CHECK(y[5] == kInf && y[6] == kInf, "%s exp overflow: %a %a", n, y[5], y[6]);
      CHECK(std::isfinite(y[7]) && ulp_error(y[7], std::exp(static_cast<double>(x[7]))) <= 3.0,
            "%s exp(88.72) = %a", n, y[7]);
      CHECK(y[8] == 0.0f && y[9] == 0.0f, "%s exp underflow: %a %a", n, y[8], y[9]);
      // Subnormal results, to within a subnormal ulp or two.
      CHECK(ulp_error(y[10], std::exp(-87.5)) <= 2.0 && y[10] > 0.0f, "%s exp(-87.5) = %a", n,
            y[10]);
      CHECK(ulp_error(y[11], std::exp(-100.0)) <= 2.0, "%s exp(-100) = %a", n, y[11]);
      CHECK(ulp_error(y[12], std::exp(1.0)) <= 1.0, "%s exp(1) = %a", n, y[12]);
    }
    {
      const Vec x = {0.0f, -0.0f, -1.0f, -kInf, kInf, kNaN, 1.0f, sub, bits_to_float(1),
                     3.4e38f, 2.0f, 0.5f};
      const Vec y = run_unary(p.t, &softac_kernel_table::log_forward, x);
      CHECK(y[0] == -kInf && y[1] == -kInf, "%s log(+-0) = %a, %a", n, y[0], y[1]);
      CHECK(std::isnan(y[2]) && std::isnan(y[3]), "%s log(<0) = %a, %a", n, y[2], y[3]);
      CHECK(y[4] == kInf && std::isnan(y[5]), "%s log(inf), log(NaN) = %a, %a", n, y[4], y[5]);
      CHECK(y[6] == 0.0f && !std::signbit(y[6]), "%s log(1) = %a", n, y[6]);
      for (int i = 7; i < 12; ++i)
        CHECK(ulp_error(y[i], std::log(static_cast<double>(x[i]))) <= 2.0, "%s log(%a) = %a", n,
              x[i], y[i]);
    }
    {
      const Vec x = {0.0f, kInf, -kInf, kNaN, 20.0f, 20.5f, 1e30f, -20.0f, -90.0f, -104.0f,
                     -200.0f, -0.0f};
      const Vec y = run_unary(p.t, &softac_kernel_table::softplus_forward, x);
      CHECK(y[0] == 0x1.62e43p-1f, "%s softplus(0) = %a", n, y[0]);
      CHECK(y[1] == kInf && y[2] == 0.0f && std::isnan(y[3]), "%s softplus(inf,-inf,NaN)", n);
      CHECK(y[5] == 20.5f && y[6] == 1e30f, "%s softplus above the threshold: %a %a", n, y[5],
            y[6]);
      for (int i = 4; i < 12; ++i)
        CHECK(ulp_error(y[i], ref_softplus(x[i])) <= 3.0, "%s softplus(%a) = %a", n, x[i], y[i]);
    }
  }
}

TEST(vector_paths_vs_scalar_transcendentals) {
  // Each path is checked against float64 above; here the gap to the scalar path itself.
  const softac_kernel_table* s = scalar_table();
  Rng r(11);
  const Vec x = r.vec(100000, -30.0f, 30.0f);
  for (const auto& p : paths()) {
    if (p.name == "scalar") continue;
    for (const auto& u : kUnary) {
      Vec in = x;
      if (u.ref == ref_log)
        for (auto& v : in) v = std::fabs(v);
      const Vec a = run_unary(p.t, u.entry, in), b = run_unary(s, u.entry, in);
      double worst = 0.0;
      for (size_t i = 0; i < in.size(); ++i) {
        const double e = ulp_error(a[i], b[i]);
        if (e > worst) worst = e;
      }
      std::printf("    %-7s %-9s max %.0f ulp from scalar\n", p.name.c_str(), u.name, worst);
      CHECK(worst <= 2.0 * u.bound_ulp, "%s %s vs scalar: %.1f ulp", p.name.c_str(), u.name,
            worst);
    }
  }
}

TEST(fma_paths_agree_bit_for_bit) {
  // AVX2, AVX-512 and NEON run the same fused operations in the same order, so they must
  // agree exactly, transcendental functions included (only the scalar path, whose
  // multiply-adds round twice, may differ). Checks whichever of them this CPU can run.
  std::vector<Path> fma;
  for (const auto& p : paths())
    if (p.name != "scalar") fma.push_back(p);
  Vec x;
  for (uint64_t b = 0; b <= 0xffffffffull; b += 65537) x.push_back(bits_to_float(static_cast<uint32_t>(b)));
  for (size_t k = 1; k < fma.size(); ++k) {
    for (const auto& u : kUnary) {
      const Vec a = run_unary(fma[0].t, u.entry, x), b = run_unary(fma[k].t, u.entry, x);
      for (size_t i = 0; i < x.size(); ++i)
        CHECK(same_bits(a[i], b[i]) || (std::isnan(a[i]) && std::isnan(b[i])),
              "%s %s(%a) = %a but %s gives %a", fma[k].name.c_str(), u.name, x[i], b[i],
              fma[0].name.c_str(), a[i]);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Plain arithmetic entries: exact against float64 (a single IEEE operation rounded from the
// exact double result is what float arithmetic gives) or against the formula in float.

TEST(arithmetic_vs_float64) {
  for (const auto& p : paths()) {
    const auto* t = p.t;
    const char* pn = p.name.c_str();
    for (int64_t n : kLengths) {
      Rng r(static_cast<uint64_t>(n));
      const size_t N = static_cast<size_t>(n);
      Vec a = r.vec(n, -3.0f, 3.0f), b = r.vec(n, -3.0f, 3.0f), d = r.vec(n), acc0 = r.vec(n);
      if (n > 2) b[1] = a[1];  // a tie for minimum
      Vec y(N), da = acc0, db = r.vec(n);
      const Vec db0 = db;

      t->relu_forward(y.data(), a.data(), n);
      for (size_t i = 0; i < N; ++i)
        CHECK(y[i] == (a[i] > 0 ? a[i] : 0.0f), "%s relu n=%" PRId64 " i=%zu", pn, n, i);
      t->clamp_forward(y.data(), a.data(), -1.0f, 2.0f, n);
      for (size_t i = 0; i < N; ++i)
        CHECK(y[i] == std::fmin(std::fmax(a[i], -1.0f), 2.0f), "%s clamp i=%zu", pn, i);
      t->minimum_forward(y.data(), a.data(), b.data(), n);
      for (size_t i = 0; i < N; ++i) CHECK(y[i] == std::fmin(a[i], b[i]), "%s minimum i=%zu", pn, i);
      t->add(y.data(), a.data(), b.data(), n);
      for (size_t i = 0; i < N; ++i)
        CHECK(y[i] == static_cast<float>(static_cast<double>(a[i]) + b[i]), "%s add i=%zu", pn, i);
      t->mul(y.data(), a.data(), b.data(), n);
      for (size_t i = 0; i < N; ++i)
        CHECK(y[i] == static_cast<float>(static_cast<double>(a[i]) * b[i]), "%s mul i=%zu", pn, i);
      t->scale(y.data(), a.data(), -0.3f, n);
      for (size_t i = 0; i < N; ++i)
        CHECK(y[i] == static_cast<float>(static_cast<double>(-0.3f) * a[i]),
              "%s scale i=%zu", pn, i);
      t->fill(y.data(), 4.25f, n);
      for (size_t i = 0; i < N; ++i) CHECK(y[i] == 4.25f, "%s fill i=%zu", pn, i);
      // In place, as the contract allows for add/mul/scale.
      Vec z = a;
      t->add(z.data(), z.data(), b.data(), n);
      t->mul(z.data(), b.data(), z.data(), n);
      t->scale(z.data(), z.data(), 2.0f, n);
      for (size_t i = 0; i < N; ++i)
        CHECK(z[i] == 2.0f * (b[i] * (a[i] + b[i])), "%s in-place add/mul/scale i=%zu", pn, i);

      // axpy and the backward passes: the formula in float (products and sums rounded one
      // by one), and within a few roundings of float64.
      y = acc0;
      t->axpy(y.data(), 0.7f, a.data(), n);
      for (size_t i = 0; i < N; ++i) {
        CHECK(y[i] == acc0[i] + 0.7f * a[i], "%s axpy i=%zu", pn, i);
        CHECK(std::fabs(y[i] - (acc0[i] + 0.7 * a[i])) <= 2e-7 * (std::fabs(acc0[i]) + std::fabs(a[i])),
              "%s axpy vs float64 i=%zu", pn, i);
      }
      Vec th(N);
      for (size_t i = 0; i < N; ++i) th[i] = std::tanh(a[i]);
      y = acc0;
      t->tanh_backward(y.data(), d.data(), th.data(), n);
      for (size_t i = 0; i < N; ++i) {
        CHECK(y[i] == acc0[i] + d[i] * (1.0f - th[i] * th[i]), "%s tanh_backward i=%zu", pn, i);
        const double want = acc0[i] + d[i] * (1.0 - static_cast<double>(th[i]) * th[i]);
        CHECK(std::fabs(y[i] - want) <= 4e-7, "%s tanh_backward vs float64 i=%zu", pn, i);
      }
      y = acc0;
      t->relu_backward(y.data(), d.data(), a.data(), n);
      for (size_t i = 0; i < N; ++i)
        CHECK(y[i] == (a[i] > 0 ? acc0[i] + d[i] : acc0[i]), "%s relu_backward i=%zu", pn, i);
      y = acc0;
      t->relu_grad(y.data(), d.data(), a.data(), n);
      for (size_t i = 0; i < N; ++i)
        CHECK(same_bits(y[i], a[i] > 0 ? d[i] : 0.0f), "%s relu_grad i=%zu", pn, i);
      y = acc0;
      Vec xc = a;
      if (n > 2) xc[0] = -1.0f, xc[2] = 2.0f;  // the bounds pass the gradient (PyTorch)
      t->clamp_backward(y.data(), d.data(), xc.data(), -1.0f, 2.0f, n);
      for (size_t i = 0; i < N; ++i)
        CHECK(y[i] == (xc[i] >= -1.0f && xc[i] <= 2.0f ? acc0[i] + d[i] : acc0[i]),
              "%s clamp_backward i=%zu x=%a", pn, i, xc[i]);
      t->minimum_backward(da.data(), db.data(), d.data(), a.data(), b.data(), n);
      for (size_t i = 0; i < N; ++i) {
        const float g = a[i] == b[i] ? d[i] * 0.5f : d[i];
        CHECK(da[i] == (a[i] > b[i] ? acc0[i] : acc0[i] + g), "%s minimum_backward da i=%zu", pn, i);
        CHECK(db[i] == (a[i] < b[i] ? db0[i] : db0[i] + g), "%s minimum_backward db i=%zu", pn, i);
      }
    }
    // NaN behaviour (PyTorch): relu, clamp and minimum propagate it; no gradient flows
    // through relu or clamp at NaN; minimum passes dy to both sides of a NaN pair.
    const Vec x = {kNaN, 1.0f, kNaN};
    const Vec w = {1.0f, kNaN, kNaN};
    Vec y(3);
    t->relu_forward(y.data(), x.data(), 3);
    CHECK(std::isnan(y[0]) && y[1] == 1.0f, "%s relu(NaN)", pn);
    t->clamp_forward(y.data(), x.data(), -1.0f, 0.5f, 3);
    CHECK(std::isnan(y[0]) && y[1] == 0.5f, "%s clamp(NaN)", pn);
    t->minimum_forward(y.data(), x.data(), w.data(), 3);
    CHECK(std::isnan(y[0]) && std::isnan(y[1]) && std::isnan(y[2]), "%s minimum(NaN)", pn);
    Vec dx = {0.0f, 0.0f, 0.0f}, dw = {0.0f, 0.0f, 0.0f};
    const Vec ones = {1.0f, 1.0f, 1.0f};
    t->minimum_backward(dx.data(), dw.data(), ones.data(), x.data(), w.data(), 3);
    CHECK(dx[0] == 1.0f && dw[0] == 1.0f && dx[2] == 1.0f && dw[2] == 1.0f,
          "%s minimum_backward NaN pair", pn);
    dx = {0.0f, 0.0f, 0.0f};
    t->clamp_backward(dx.data(), ones.data(), x.data(), -1.0f, 2.0f, 3);
    CHECK(dx[0] == 0.0f && dx[1] == 1.0f, "%s clamp_backward(NaN)", pn);
    // Empty ranges touch nothing.
    y = {5.0f, 5.0f, 5.0f};
    t->tanh_forward(y.data(), x.data(), 0);
    t->fill(y.data(), 1.0f, 0);
    CHECK(y[0] == 5.0f, "%s n=0 wrote", pn);
    CHECK(t->sum(x.data(), 0) == 0.0f, "%s sum of nothing", pn);
  }
}

// Sum with error bound: |fl(sum) - sum| <= (n - 1) u sum|x|, u = 2^-24, for any order.
TEST(sums_vs_float64) {
  for (const auto& p : paths()) {
    const char* pn = p.name.c_str();
    for (int64_t n : {int64_t{1}, int64_t{3}, int64_t{17}, int64_t{255}, int64_t{256},
                      int64_t{257}, int64_t{100003}}) {
      Rng r(static_cast<uint64_t>(n) + 99);
      const Vec x = r.vec(n, -1.0f, 1.5f);
      double ref = 0.0, mag = 0.0;
      for (float v : x) ref += v, mag += std::fabs(v);
      const float s = p.t->sum(x.data(), n);
      CHECK(std::fabs(s - ref) <= (n + 1) * 0x1p-24 * mag, "%s sum n=%" PRId64 ": %a vs %.17g",
            pn, n, s, ref);
      // The order is the same on every path: bit-identical to scalar.
      const float s0 = scalar_table()->sum(x.data(), n);
      CHECK(same_bits(s, s0), "%s sum n=%" PRId64 " differs from scalar: %a vs %a", pn, n, s, s0);
    }
    for (int64_t rows : {int64_t{1}, int64_t{3}, int64_t{17}, int64_t{256}}) {
      for (int64_t cols : kLengths) {
        Rng r(static_cast<uint64_t>(rows * 1000 + cols));
        const int64_t ld = cols + 5;  // a strided view, as the driver hands out
        const Vec x = r.vec(rows * ld);
        const Vec out0 = r.vec(cols);
        Vec out = out0;
        p.t->sum_cols_acc(out.data(), x.data(), rows, cols, ld);
        Vec rs(static_cast<size_t>(rows));
        Vec xd(static_cast<size_t>(rows * cols));
        for (int64_t i = 0; i < rows; ++i)
          for (int64_t c = 0; c < cols; ++c) xd[i * cols + c] = x[i * ld + c];
        p.t->sum_rows(rs.data(), xd.data(), rows, cols);
        for (int64_t c = 0; c < cols; ++c) {
          double ref = 0.0, mag = std::fabs(out0[c]);
          float f = 0.0f;  // the documented order: rows in order from zero, then += out
          for (int64_t i = 0; i < rows; ++i) {
            ref += x[i * ld + c];
            mag += std::fabs(x[i * ld + c]);
            f += x[i * ld + c];
          }
          CHECK(out[c] == out0[c] + f, "%s sum_cols_acc %" PRId64 "x%" PRId64 " c=%" PRId64, pn,
                rows, cols, c);
          CHECK(std::fabs(out[c] - (out0[c] + ref)) <= (rows + 2) * 0x1p-24 * mag,
                "%s sum_cols_acc vs float64 c=%" PRId64, pn, c);
        }
        for (int64_t i = 0; i < rows; ++i) {
          double ref = 0.0, mag = 0.0;
          for (int64_t c = 0; c < cols; ++c) ref += xd[i * cols + c], mag += std::fabs(xd[i * cols + c]);
          CHECK(std::fabs(rs[i] - ref) <= (cols + 1) * 0x1p-24 * mag,
                "%s sum_rows %" PRId64 "x%" PRId64 " r=%" PRId64, pn, rows, cols, i);
          CHECK(same_bits(rs[i], scalar_table()->sum(xd.data() + i * cols, cols)),
                "%s sum_rows r=%" PRId64 " is not sum() of the row", pn, i);
        }
      }
    }
  }
}

TEST(dot_rows_vs_float64) {
  // The thin products of linear layers: each row's dot product against float64, the same
  // bits for a row whether it is computed alone or beside another (the driver splits rows
  // across threads), and the same bits on every path with fused multiply-adds (their lane
  // order is sum()'s on every ISA).
  const softac_kernel_table* first_fma = nullptr;
  for (const auto& p : paths()) {
    const char* pn = p.name.c_str();
    for (int64_t rows : {int64_t{1}, int64_t{3}, int64_t{17}, int64_t{256}}) {
      for (int64_t k : kLengths) {
        Rng r(static_cast<uint64_t>(rows * 7919 + k));
        const Vec a = r.vec(rows * k), x = r.vec(k);
        Vec out(static_cast<size_t>(rows)), one(1);
        p.t->dot_rows(out.data(), a.data(), x.data(), rows, k);
        for (int64_t i = 0; i < rows; ++i) {
          double ref = 0.0, mag = 0.0;
          for (int64_t c = 0; c < k; ++c) {
            ref += static_cast<double>(a[i * k + c]) * x[c];
            mag += std::fabs(static_cast<double>(a[i * k + c]) * x[c]);
          }
          CHECK(std::fabs(out[i] - ref) <= (k + 2) * 0x1p-23 * mag, "%s dot_rows %" PRId64 "x%" PRId64 " r=%" PRId64 ": %a vs %.17g",
                pn, rows, k, i, out[i], ref);
          p.t->dot_rows(one.data(), a.data() + i * k, x.data(), 1, k);
          CHECK(same_bits(one[0], out[i]), "%s dot_rows row %" PRId64 " alone differs from its pair", pn, i);
          if (first_fma && p.name != "scalar") {
            first_fma->dot_rows(one.data(), a.data() + i * k, x.data(), 1, k);
            CHECK(same_bits(one[0], out[i]), "%s dot_rows %" PRId64 "x%" PRId64 " differs from the first FMA path", pn, rows, k);
          }
        }
      }
    }
    if (!first_fma && p.name != "scalar") first_fma = p.t;
  }
}

// ---------------------------------------------------------------------------------------
// The squashed Gaussian.

struct Squash {
  int64_t rows, A;
  Vec mu, log_std, eps, scale, shift, da, dlogp;
};

Squash make_squash(int64_t rows, int64_t A, uint64_t seed, float mu_range = 3.0f) {
  Rng r(seed);
  Squash s{rows, A, r.vec(rows * A, -mu_range, mu_range), r.vec(rows * A, -22.0f, 3.0f),
           r.vec(rows * A, -2.5f, 2.5f), r.vec(A, 0.5f, 2.0f), r.vec(A, -0.5f, 0.5f),
           r.vec(rows * A), r.vec(rows)};
  if (rows * A > 2) s.log_std[0] = -20.0f, s.log_std[1] = 2.0f;  // the clamp bounds
  return s;
}

// The float64 forward and backward, and the size of their float32 error. std and u are
// formed exactly as the kernel forms them (its own exp, which squash shares with
// exp_forward, then a float product and a float sum), so the reference differs from the
// kernel only by tanh's and softplus's errors and the final roundings. z = (u - mu) / std
// is taken from that u, as kernels.h and Normal.log_prob do.
struct SquashRef {
  std::vector<double> a, a_tol, logp, logp_tol, dmu, dmu_tol, dls, dls_tol;
  std::vector<bool> inside;
};

SquashRef squash_ref(const Squash& s, const softac_kernel_table* t) {
  const int64_t n = s.rows * s.A;
  const size_t N = static_cast<size_t>(n);
  Vec ls(N), sd(N);
  // The clamp bounds written out, independently of kernels.h's kLogStdMin/kLogStdMax.
  for (size_t i = 0; i < N; ++i) ls[i] = std::fmin(std::fmax(s.log_std[i], -20.0f), 2.0f);
  t->exp_forward(sd.data(), ls.data(), n);
  SquashRef r;
  for (auto* v : {&r.a, &r.a_tol, &r.dmu, &r.dmu_tol, &r.dls, &r.dls_tol}) v->assign(N, 0.0);
  r.inside.assign(N, false);
  r.logp.assign(static_cast<size_t>(s.rows), 0.0);
  r.logp_tol.assign(static_cast<size_t>(s.rows), 0.0);
  const double eps_tanh = 4 * 0x1p-23;  // tanh's relative error bound (4 ulp)
  const double u_ = 0x1p-24;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j = i % s.A, row = i / s.A;
    const float uf = s.mu[i] + sd[i] * s.eps[i];
    const double u = uf, z = (uf - s.mu[i]) / sd[i];
    const double th = std::tanh(u), dth = eps_tanh * std::fabs(th), sech2 = 1.0 - th * th;
    r.a[i] = s.scale[j] * th + s.shift[j];
    r.a_tol[i] = std::fabs(s.scale[j]) * dth + 4 * u_ * (std::fabs(r.a[i]) + std::fabs(s.shift[j]));
    // log(1 - tanh(u)^2) without the cancellation: 2 (log 2 - |u| - log1p(e^-2|u|)).
    const double au = std::fabs(u);
    const double corr = 2.0 * (std::log(2.0) - au - std::log1p(std::exp(-2.0 * au)));
    r.logp[row] += -0.5 * z * z - ls[i] - 0.5 * std::log(2.0 * kPi) - corr;
    r.logp_tol[row] += 8 * 0x1p-23 * (au + 1.0) + 4 * u_ * (z * z + 1.0);
    const double da = s.da.empty() ? 0.0 : s.da[i], dl = s.dlogp.empty() ? 0.0 : s.dlogp[row];
    const double gs = da * s.scale[j];
    const double du = gs * sech2 + dl * 2.0 * th;
    const double du_tol = (std::fabs(gs) * 2.0 * std::fabs(th) + 2.0 * std::fabs(dl)) * dth +
                          8 * u_ * (std::fabs(gs) * sech2 + 2.0 * std::fabs(dl * th));
    r.dmu[i] = du;
    r.dmu_tol[i] = du_tol;
    r.inside[i] = s.log_std[i] >= -20.0f && s.log_std[i] <= 2.0f;
    const double g = du * sd[i] * s.eps[i];
    r.dls[i] = r.inside[i] ? g - dl : 0.0;
    r.dls_tol[i] = du_tol * std::fabs(sd[i] * s.eps[i]) + 8 * u_ * (std::fabs(g) + std::fabs(dl));
  }
  return r;
}

TEST(squash_vs_float64) {
  for (const auto& p : paths()) {
    const char* pn = p.name.c_str();
    for (int64_t rows : {int64_t{1}, int64_t{3}, int64_t{17}, int64_t{256}}) {
      for (int64_t A : {int64_t{1}, int64_t{3}, int64_t{17}}) {
        Squash s = make_squash(rows, A, static_cast<uint64_t>(rows * 100 + A));
        const SquashRef ref = squash_ref(s, p.t);
        const int64_t n = rows * A;
        Vec a(n), logp(rows);
        p.t->squash_forward(a.data(), logp.data(), s.mu.data(), s.log_std.data(), s.eps.data(),
                            s.scale.data(), s.shift.data(), rows, A);
        for (int64_t i = 0; i < n; ++i)
          CHECK(std::fabs(a[i] - ref.a[i]) <= ref.a_tol[i], "%s squash a %" PRId64 "x%" PRId64
                " i=%" PRId64 ": %a vs %.17g", pn, rows, A, i, a[i], ref.a[i]);
        for (int64_t i = 0; i < rows; ++i)
          CHECK(std::fabs(logp[i] - ref.logp[i]) <= ref.logp_tol[i] + 0x1p-24 * std::fabs(ref.logp[i]),
                "%s squash logp %" PRId64 "x%" PRId64 " r=%" PRId64 ": %a vs %.17g", pn, rows, A,
                i, logp[i], ref.logp[i]);
        Vec a2(n, -5.0f);
        p.t->squash_forward(a2.data(), nullptr, s.mu.data(), s.log_std.data(), s.eps.data(),
                            s.scale.data(), s.shift.data(), rows, A);
        CHECK(first_diff(a, a2) < 0, "%s squash without logp changes a", pn);

        // Backward, with both gradients, then each alone (a null pointer is no gradient).
        for (int mode = 0; mode < 3; ++mode) {
          Squash sm = s;
          if (mode == 1) sm.da.clear();
          if (mode == 2) sm.dlogp.clear();
          const SquashRef rm = squash_ref(sm, p.t);
          Rng r(static_cast<uint64_t>(mode));
          const Vec dmu0 = r.vec(n), dls0 = r.vec(n);
          Vec dmu = dmu0, dls = dls0;
          p.t->squash_backward(dmu.data(), dls.data(), sm.da.empty() ? nullptr : sm.da.data(),
                               sm.dlogp.empty() ? nullptr : sm.dlogp.data(), sm.mu.data(),
                               sm.log_std.data(), sm.eps.data(), sm.scale.data(), rows, A);
          for (int64_t i = 0; i < n; ++i) {
            CHECK(std::fabs(dmu[i] - (dmu0[i] + rm.dmu[i])) <= rm.dmu_tol[i] + 0x1p-23 * std::fabs(dmu0[i] + rm.dmu[i]),
                  "%s squash dmu mode %d i=%" PRId64 ": %a vs %.17g", pn, mode, i, dmu[i],
                  dmu0[i] + rm.dmu[i]);
            if (!rm.inside[i])
              CHECK(dls[i] == dls0[i], "%s squash dlog_std outside the clamp moved i=%" PRId64, pn, i);
            else
              CHECK(std::fabs(dls[i] - (dls0[i] + rm.dls[i])) <= rm.dls_tol[i] + 0x1p-23 * std::fabs(dls0[i] + rm.dls[i]),
                    "%s squash dlog_std mode %d i=%" PRId64 ": %a vs %.17g", pn, mode, i, dls[i],
                    dls0[i] + rm.dls[i]);
          }
        }
      }
    }
  }
}

// The tanh correction 2 (log 2 - u - softplus(-2u)) for |u| up to 30, where the naive
// log(1 - tanh(u)^2) is log(0) = -inf in float: finite and within a few ulp of |u|.
TEST(squash_correction_large_u) {
  const int64_t n = 6001;
  Vec mu(n), zero(n, 0.0f), one = {1.0f}, nil = {0.0f};
  for (int64_t i = 0; i < n; ++i) mu[i] = -30.0f + 0.01f * static_cast<float>(i);
  for (const auto& p : paths()) {
    Vec a(n), logp(n);
    // One action per row, log_std 0 and eps 0: u = mu exactly and logp = -c - correction.
    p.t->squash_forward(a.data(), logp.data(), mu.data(), zero.data(), zero.data(), one.data(),
                        nil.data(), n, 1);
    double worst = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double u = std::fabs(static_cast<double>(mu[i]));
      const double corr = 2.0 * (std::log(2.0) - u - std::log1p(std::exp(-2.0 * u)));
      const double want = -0.5 * std::log(2.0 * kPi) - corr;
      const double err = std::fabs(logp[i] - want) / (0x1p-23 * (u + 1.0));
      if (err > worst) worst = err;
      CHECK(std::isfinite(logp[i]) && err <= 4.0, "%s logp at u=%a: %a vs %.17g", p.name.c_str(),
            mu[i], logp[i], want);
    }
    std::printf("    %-7s correction max error %.2f * 2^-23 (|u| + 1) for |u| <= 30\n",
                p.name.c_str(), worst);
  }
}

// With std = e^-20, u = mu + std*eps rounds to mu, so z = (u - mu) / std is 0 and logp
// lacks the -eps^2/2 term (kernels.h, as PyTorch computes it); a large std keeps z = eps.
TEST(squash_logp_uses_z_from_rounded_u) {
  const Vec mu = {1.0f, 0.5f}, log_std = {-25.0f, 0.0f}, eps = {1.5f, 2.0f};
  const Vec one = {1.0f}, nil = {0.0f};
  for (const auto& p : paths()) {
    Vec a(2), logp(2);
    p.t->squash_forward(a.data(), logp.data(), mu.data(), log_std.data(), eps.data(), one.data(),
                        nil.data(), 2, 1);
    const double c = 0.5 * std::log(2.0 * kPi);
    auto corr = [](double u) { return 2.0 * (std::log(2.0) - u - std::log1p(std::exp(-2.0 * u))); };
    const double want0 = 20.0 - c - corr(1.0);                // z = 0
    const double want1 = -0.5 * 4.0 - c - corr(2.5);          // z = eps = 2, u = 2.5 exactly
    CHECK(std::fabs(logp[0] - want0) < 1e-5, "%s logp with std e^-20: %.9g vs %.9g",
          p.name.c_str(), logp[0], want0);
    CHECK(std::fabs(logp[1] - want1) < 1e-5, "%s logp with std 1: %.9g vs %.9g",
          p.name.c_str(), logp[1], want1);
    CHECK(ulp_error(a[0], std::tanh(1.0)) <= 4.0, "%s a with std e^-20: %a", p.name.c_str(), a[0]);
  }
}

// ---------------------------------------------------------------------------------------
// Adam and polyak.

// torch.optim.Adam's single-tensor step for one element, worked in float in PyTorch's
// operation order (see elementwise.inc), with the driver's float arguments.
void adam_ref_float(float& p, float g, float& m, float& v, float beta2, float w, float omb2,
                    float eps, float wd, float step_size, float bc2_sqrt) {
  if (wd != 0.0f) g = g + wd * p;
  const float diff = g - m;
  m = w < 0.5f && w > -0.5f ? m + w * diff : g - diff * (1.0f - w);
  v = v * beta2 + (omb2 * g) * g;
  const float denom = std::sqrt(v) / bc2_sqrt + eps;
  p = p + (-step_size * m) / denom;
}

TEST(adam_vs_pytorch_formula) {
  struct Hyper {
    double lr, beta1, beta2, eps, wd;
  };
  const Hyper hypers[] = {{1e-3, 0.9, 0.999, 1e-8, 0.0}, {3e-4, 0.3, 0.99, 1e-6, 0.01}};
  for (const auto& p : paths()) {
    const char* pn = p.name.c_str();
    // Hand-worked first step: m = 0.1 g, v = 0.001 g^2 (up to the float 1 - beta2),
    // m_hat = g, v_hat = g^2, so p moves by lr * g / (|g| + eps) = lr * sign(g).
    {
      Vec pp = {1.0f, -2.0f}, g = {0.5f, -4.0f}, m = {0.0f, 0.0f}, v = {0.0f, 0.0f};
      const double bc2 = std::sqrt(1.0 - 0.999);
      p.t->adam(pp.data(), g.data(), m.data(), v.data(), 2, 0.999f, static_cast<float>(1.0 - 0.9),
                static_cast<float>(1.0 - 0.999), 1e-8f, 0.0f,
                static_cast<float>(1e-3 / (1.0 - 0.9)), static_cast<float>(bc2));
      CHECK(std::fabs(pp[0] - 0.999) < 1e-6 && std::fabs(pp[1] - (-1.999)) < 1e-6,
            "%s adam first step: %.9g %.9g", pn, pp[0], pp[1]);
      // 1 - beta2 arrives as PyTorch rounds it (0.001f), so v is 0.00025 to a float ULP.
      CHECK(std::fabs(m[0] - 0.05) < 1e-7 && std::fabs(v[0] - 0.00025) < 0.00025 * 2e-7,
            "%s adam moments: %.9g %.9g", pn, m[0], v[0]);
    }
    for (const Hyper& h : hypers) {
      for (int64_t n : kLengths) {
        Rng r(static_cast<uint64_t>(n) + 7);
        Vec pp = r.vec(n), g = r.vec(n), m = r.vec(n, -0.1f, 0.1f), v = r.vec(n, 0.0f, 0.01f);
        Vec rp = pp, rm = m, rv = v;
        std::vector<double> dp(pp.begin(), pp.end()), dm(m.begin(), m.end()), dv(v.begin(), v.end());
        for (int64_t t = 1; t <= 3; ++t) {
          const double step = h.lr / (1.0 - std::pow(h.beta1, static_cast<double>(t)));
          const double bc2 = std::sqrt(1.0 - std::pow(h.beta2, static_cast<double>(t)));
          p.t->adam(pp.data(), g.data(), m.data(), v.data(), n, static_cast<float>(h.beta2),
                    static_cast<float>(1.0 - h.beta1), static_cast<float>(1.0 - h.beta2),
                    static_cast<float>(h.eps), static_cast<float>(h.wd), static_cast<float>(step),
                    static_cast<float>(bc2));
          for (int64_t i = 0; i < n; ++i) {
            adam_ref_float(rp[i], g[i], rm[i], rv[i], static_cast<float>(h.beta2),
                           static_cast<float>(1.0 - h.beta1), static_cast<float>(1.0 - h.beta2),
                           static_cast<float>(h.eps), static_cast<float>(h.wd),
                           static_cast<float>(step), static_cast<float>(bc2));
            // The same step in float64 with the exact hyper-parameters.
            const double gi = g[i] + h.wd * dp[i];
            dm[i] = h.beta1 * dm[i] + (1.0 - h.beta1) * gi;
            dv[i] = h.beta2 * dv[i] + (1.0 - h.beta2) * gi * gi;
            dp[i] -= step * dm[i] / (std::sqrt(dv[i]) / bc2 + h.eps);
          }
          for (int64_t i = 0; i < n; ++i) {
            CHECK(same_bits(pp[i], rp[i]) && same_bits(m[i], rm[i]) && same_bits(v[i], rv[i]),
                  "%s adam t=%" PRId64 " n=%" PRId64 " i=%" PRId64 ": p %a vs %a", pn, t, n, i,
                  pp[i], rp[i]);
            // float64: the update is within 1e-4 of its size (float betas, a few roundings).
            CHECK(std::fabs(pp[i] - dp[i]) <= 1e-4 * h.lr * 10 + 1e-7 * std::fabs(dp[i]),
                  "%s adam vs float64 t=%" PRId64 " i=%" PRId64 ": %.9g vs %.9g", pn, t, i, pp[i],
                  dp[i]);
          }
        }
      }
    }
  }
}

TEST(polyak_vs_formula) {
  const double rho = 0.995;
  const float keep = static_cast<float>(rho), take = static_cast<float>(1.0 - rho);
  for (const auto& p : paths()) {
    for (int64_t n : kLengths) {
      Rng r(static_cast<uint64_t>(n) + 3);
      const Vec targ0 = r.vec(n), src = r.vec(n);
      Vec targ = targ0;
      p.t->polyak(targ.data(), src.data(), keep, take, n);
      for (int64_t i = 0; i < n; ++i) {
        // targ.mul_(polyak); targ.add_((1 - polyak) * p): each product rounded, then the sum.
        const float want = targ0[i] * keep + take * src[i];
        CHECK(same_bits(targ[i], want), "%s polyak n=%" PRId64 " i=%" PRId64 ": %a vs %a",
              p.name.c_str(), n, i, targ[i], want);
        const double exact = rho * targ0[i] + (1.0 - rho) * src[i];
        CHECK(std::fabs(targ[i] - exact) <= 3e-7, "%s polyak vs float64 i=%" PRId64,
              p.name.c_str(), i);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Determinism: any split of a range into sub-ranges gives the bits of the whole range,
// and the plain-arithmetic entries give the scalar path's bits on every path.

// Cut points of [0, n): random piece lengths from 1 to 40, so pieces start and end at every
// alignment.
std::vector<int64_t> cuts(int64_t n, uint64_t seed) {
  Rng r(seed);
  std::vector<int64_t> c{0};
  while (c.back() < n) {
    const int64_t len = 1 + static_cast<int64_t>(r.bits() % 40);
    c.push_back(c.back() + len < n ? c.back() + len : n);
  }
  return c;
}

// Runs run(t, state, b, e) on the whole of [0, n) and on several random splits of it;
// every split must give the whole range's bits.
void check_split(const char* what, const Path& p, int64_t n, const std::vector<Vec>& state0,
                 const std::function<void(const softac_kernel_table*, std::vector<Vec>&, int64_t,
                                          int64_t)>& run,
                 std::vector<Vec>* whole_out = nullptr) {
  std::vector<Vec> whole = state0;
  run(p.t, whole, 0, n);
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    std::vector<Vec> part = state0;
    const auto c = cuts(n, seed);
    for (size_t k = 0; k + 1 < c.size(); ++k) run(p.t, part, c[k], c[k + 1]);
    for (size_t s = 0; s < whole.size(); ++s) {
      const int64_t d = first_diff(whole[s], part[s]);
      CHECK(d < 0, "%s %s: split %" PRIu64 " differs from the whole in array %zu at %" PRId64,
            p.name.c_str(), what, seed, s, d);
    }
  }
  if (whole_out) *whole_out = whole;
}

TEST(split_ranges_bit_identical) {
  const int64_t n = 1000;
  Rng r(2024);
  const Vec x = r.vec(n, -12.0f, 12.0f), y = r.vec(n, -12.0f, 12.0f), d = r.vec(n);
  Vec xpos = x;
  for (auto& v : xpos) v = std::fabs(v) * 1e3f;
  typedef const softac_kernel_table* T;
  for (const auto& p : paths()) {
    struct U {
      const char* name;
      UnaryFn softac_kernel_table::*entry;
      const Vec* in;
    };
    const U unary[] = {{"tanh", &softac_kernel_table::tanh_forward, &x},
                       {"exp", &softac_kernel_table::exp_forward, &x},
                       {"log", &softac_kernel_table::log_forward, &xpos},
                       {"softplus", &softac_kernel_table::softplus_forward, &x},
                       {"relu", &softac_kernel_table::relu_forward, &x}};
    for (const U& u : unary) {
      const Vec& in = *u.in;
      check_split(u.name, p, n, {Vec(n)}, [&](T t, std::vector<Vec>& s, int64_t b, int64_t e) {
        (t->*u.entry)(s[0].data() + b, in.data() + b, e - b);
      });
    }
    check_split("clamp", p, n, {Vec(n)}, [&](T t, std::vector<Vec>& s, int64_t b, int64_t e) {
      t->clamp_forward(s[0].data() + b, x.data() + b, -2.0f, 3.0f, e - b);
    });
    check_split("minimum", p, n, {Vec(n)}, [&](T t, std::vector<Vec>& s, int64_t b, int64_t e) {
      t->minimum_forward(s[0].data() + b, x.data() + b, y.data() + b, e - b);
    });
    check_split("add/mul/axpy/scale", p, n, {x, y}, [&](T t, std::vector<Vec>& s, int64_t b, int64_t e) {
      t->add(s[0].data() + b, s[0].data() + b, y.data() + b, e - b);
      t->mul(s[1].data() + b, s[1].data() + b, x.data() + b, e - b);
      t->axpy(s[0].data() + b, 0.3f, s[1].data() + b, e - b);
      t->scale(s[1].data() + b, s[0].data() + b, -1.5f, e - b);
    });
    check_split("backward passes", p, n, {d, d, d, d}, [&](T t, std::vector<Vec>& s, int64_t b, int64_t e) {
      t->tanh_backward(s[0].data() + b, d.data() + b, x.data() + b, e - b);
      t->relu_backward(s[1].data() + b, d.data() + b, x.data() + b, e - b);
      t->relu_grad(s[0].data() + b, s[1].data() + b, x.data() + b, e - b);
      t->clamp_backward(s[1].data() + b, d.data() + b, x.data() + b, -1.0f, 1.0f, e - b);
      t->minimum_backward(s[2].data() + b, s[3].data() + b, d.data() + b, x.data() + b,
                          y.data() + b, e - b);
    });
    check_split("adam", p, n, {x, d, y, xpos}, [&](T t, std::vector<Vec>& s, int64_t b, int64_t e) {
      t->adam(s[0].data() + b, s[1].data() + b, s[2].data() + b, s[3].data() + b, e - b, 0.999f,
              0.1f, 0.001f, 1e-8f, 0.01f, 1e-3f, 0.03f);
    });
    check_split("polyak/fill", p, n, {x, y}, [&](T t, std::vector<Vec>& s, int64_t b, int64_t e) {
      t->polyak(s[0].data() + b, y.data() + b, 0.995f, 0.005f, e - b);
      t->fill(s[1].data() + b, 0.25f, e - b);
    });
    // 2-D: rows split for sum_rows and the squash pair, column ranges for sum_cols_acc
    // (the driver offsets x and out; ld stays the full row).
    const int64_t rows = 40, cols = 25, A = 25;
    check_split("sum_rows", p, rows, {Vec(rows)}, [&](T t, std::vector<Vec>& s, int64_t b, int64_t e) {
      t->sum_rows(s[0].data() + b, x.data() + b * cols, e - b, cols);
    });
    check_split("sum_cols_acc", p, cols, {Vec(d.begin(), d.begin() + cols)},
                [&](T t, std::vector<Vec>& s, int64_t b, int64_t e) {
                  t->sum_cols_acc(s[0].data() + b, x.data() + b, rows, e - b, cols);
                });
    Squash sq = make_squash(rows, A, 77);
    check_split("squash_forward", p, rows, {Vec(rows * A), Vec(rows)},
                [&](T t, std::vector<Vec>& s, int64_t b, int64_t e) {
                  t->squash_forward(s[0].data() + b * A, s[1].data() + b, sq.mu.data() + b * A,
                                    sq.log_std.data() + b * A, sq.eps.data() + b * A,
                                    sq.scale.data(), sq.shift.data(), e - b, A);
                });
    check_split("squash_backward", p, rows, {sq.mu, sq.eps},
                [&](T t, std::vector<Vec>& s, int64_t b, int64_t e) {
                  t->squash_backward(s[0].data() + b * A, s[1].data() + b * A, sq.da.data() + b * A,
                                     sq.dlogp.data() + b, sq.mu.data() + b * A,
                                     sq.log_std.data() + b * A, sq.eps.data() + b * A,
                                     sq.scale.data(), e - b, A);
                });
  }
}

TEST(arithmetic_paths_match_scalar_bits) {
  // Everything without a transcendental function is the same IEEE operations on every
  // path (no fused multiply-add), so vector paths must give the scalar path's bits.
  const softac_kernel_table* s = scalar_table();
  const int64_t n = 777;
  Rng r(31);
  const Vec x = r.vec(n, -3.0f, 3.0f), y = r.vec(n, -3.0f, 3.0f), d = r.vec(n);
  for (const auto& p : paths()) {
    if (p.name == "scalar") continue;
    const char* pn = p.name.c_str();
    auto both = [&](const char* what, const std::function<Vec(const softac_kernel_table*)>& f) {
      const Vec a = f(p.t), b = f(s);
      const int64_t i = first_diff(a, b);
      CHECK(i < 0, "%s %s differs from scalar at %" PRId64 ": %a vs %a", pn, what, i,
            a[i < 0 ? 0 : i], b[i < 0 ? 0 : i]);
    };
    both("adam", [&](const softac_kernel_table* t) {
      Vec pp = x, g = y, m = d, v = x;
      for (auto& e : v) e = e * e;
      t->adam(pp.data(), g.data(), m.data(), v.data(), n, 0.999f, 0.1f, 0.001f, 1e-8f, 0.01f, 1e-3f,
              0.03f);
      pp.insert(pp.end(), m.begin(), m.end());
      pp.insert(pp.end(), v.begin(), v.end());
      return pp;
    });
    both("polyak", [&](const softac_kernel_table* t) {
      Vec a = x;
      t->polyak(a.data(), y.data(), 0.995f, 0.005f, n);
      return a;
    });
    both("tanh_backward/axpy/minimum_backward", [&](const softac_kernel_table* t) {
      Vec a = d, b = d, c = d;
      t->tanh_backward(a.data(), y.data(), x.data(), n);
      t->axpy(a.data(), 0.3f, y.data(), n);
      t->minimum_backward(b.data(), c.data(), d.data(), x.data(), y.data(), n);
      a.insert(a.end(), b.begin(), b.end());
      a.insert(a.end(), c.begin(), c.end());
      return a;
    });
    both("sum_cols_acc", [&](const softac_kernel_table* t) {
      Vec o(37, 1.0f);
      t->sum_cols_acc(o.data(), x.data(), 21, 37, 37);
      return o;
    });
  }
}

}  // namespace
