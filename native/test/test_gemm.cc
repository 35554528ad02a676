// GEMM tests, run on every path this CPU can run: each layout (NN, NT, TN, TT) against a
// float64 reference on awkward shapes, alpha/beta and the bias/ReLU/mask epilogue, any tiling of
// C bit-identical to the whole, and each SIMD path against the scalar one.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "../src/dispatch.h"
#include "check.h"

namespace {

using softac_test::Rng;

struct Problem {
  int ta, tb;
  int64_t M, N, K;
  float alpha, beta;
  std::vector<float> A, B, C0, bias;  // C0: C before the call; bias empty = null
  int relu;
  std::vector<float> mask;  // (M, N) like C; empty = null
};

Problem make_problem(int ta, int tb, int64_t M, int64_t N, int64_t K, uint64_t seed,
                     float alpha = 1.0f, float beta = 0.0f, bool bias = false, int relu = 0,
                     bool mask = false) {
  Rng r(seed);
  Problem p{ta, tb, M, N, K, alpha, beta, r.vec(M * K), r.vec(K * N), {}, {}, relu, {}};
  if (beta == 0.0f)
    p.C0.assign(static_cast<size_t>(M * N), std::nanf(""));  // must never be read
  else
    p.C0 = r.vec(M * N);
  if (bias) p.bias = r.vec(N);
  if (mask) {
    // Signs at random, with exact zeros, -0 and NaN (all of which mask out).
    p.mask = r.vec(M * N);
    for (size_t i = 0; i < p.mask.size(); i += 7) p.mask[i] = (i / 7) % 3 == 0 ? 0.0f : (i / 7) % 3 == 1 ? -0.0f : std::nanf("");
  }
  return p;
}

const char* layout(const Problem& p) {
  static const char* names[4] = {"NN", "NT", "TN", "TT"};
  return names[p.ta * 2 + p.tb];
}

std::vector<float> run(const softac_kernel_table* t, const Problem& p) {
  std::vector<float> C = p.C0;
  t->gemm(p.ta, p.tb, p.M, p.N, p.K, p.alpha, p.A.data(), p.B.data(), p.beta, C.data(),
          p.bias.empty() ? nullptr : p.bias.data(), p.relu, p.mask.empty() ? nullptr : p.mask.data(), 0,
          p.M, 0, p.N);
  return C;
}

// The float64 result and a bound on its float32 error: with u = 2^-24, a K-term sum of
// products (FMA or not, in blocks) is within about (K+2)u sum|a||b| of the exact value;
// alpha, beta, bias and the block combination add a few more roundings.
struct Reference {
  std::vector<double> c, tol;
};

Reference reference(const Problem& p) {
  const int64_t M = p.M, N = p.N, K = p.K;
  // op(A) row-major and op(B) transposed, so the inner loop is contiguous.
  std::vector<double> a(static_cast<size_t>(M * K)), bt(static_cast<size_t>(N * K));
  for (int64_t i = 0; i < M; ++i)
    for (int64_t k = 0; k < K; ++k) a[i * K + k] = p.ta ? p.A[k * M + i] : p.A[i * K + k];
  for (int64_t j = 0; j < N; ++j)
    for (int64_t k = 0; k < K; ++k) bt[j * K + k] = p.tb ? p.B[j * K + k] : p.B[k * N + j];
  Reference r;
  r.c.resize(static_cast<size_t>(M * N));
  r.tol.resize(static_cast<size_t>(M * N));
  const double u = std::ldexp(1.0, -24);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      const double* ai = &a[i * K];
      const double* bj = &bt[j * K];
      double s = 0.0, sa = 0.0;
      for (int64_t k = 0; k < K; ++k) {
        s += ai[k] * bj[k];
        sa += std::fabs(ai[k] * bj[k]);
      }
      double c = p.alpha * s, mag = std::fabs(p.alpha) * sa;
      if (p.beta != 0.0f) {
        c += p.beta * static_cast<double>(p.C0[i * N + j]);
        mag += std::fabs(p.beta * static_cast<double>(p.C0[i * N + j]));
      }
      if (!p.bias.empty()) {
        c += p.bias[j];
        mag += std::fabs(static_cast<double>(p.bias[j]));
      }
      if (p.relu && c < 0.0) c = 0.0;
      if (!p.mask.empty() && !(p.mask[i * N + j] > 0.0f)) c = 0.0;
      r.c[i * N + j] = c;
      r.tol[i * N + j] = (static_cast<double>(K) + 8.0) * 2.0 * u * mag + 1e-30;
    }
  return r;
}

// Checks C against the reference; reports the worst element. Returns whether it passed.
bool check_close(const std::string& what, const Problem& p, const Reference& r,
                 const std::vector<float>& C) {
  int64_t worst = -1;
  double worst_ratio = 1.0;
  for (int64_t i = 0; i < p.M * p.N; ++i) {
    const double err = std::fabs(static_cast<double>(C[i]) - r.c[i]);
    const double ratio = std::isnan(err) ? INFINITY : err / r.tol[i];
    if (ratio > worst_ratio) {
      worst_ratio = ratio;
      worst = i;
    }
  }
  if (worst < 0) return true;
  CHECK(false,
        "%s %s M=%lld N=%lld K=%lld alpha=%g beta=%g bias=%d relu=%d: C[%lld,%lld] = %.9g, "
        "want %.9g (tol %.3g)",
        what.c_str(), layout(p), (long long)p.M, (long long)p.N, (long long)p.K, p.alpha, p.beta,
        !p.bias.empty(), p.relu, (long long)(worst / p.N), (long long)(worst % p.N), C[worst],
        r.c[worst], r.tol[worst]);
  return false;
}

std::vector<const softac_kernel_table*> tables() {
  std::vector<const softac_kernel_table*> t;
  for (const auto& p : softac::runnable_paths()) t.push_back(softac::table_for(p));
  return t;
}

const int kLayouts[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};

}  // namespace

// Awkward sizes (1, 3, 17: below one micro-tile; 255..257: around the KC block and not a
// multiple of any micro-tile) for NN, NT and TN, beta = 0 over a C full of NaN (beta == 0
// must never read C): every combination with at least one small size, and a few with none
// (those 27 would cost 90% of the time, and take minutes under qemu).
TEST(gemm_matches_reference_on_awkward_shapes) {
  const int64_t sizes[] = {1, 3, 17, 255, 256, 257};
  const auto ts = tables();
  uint64_t seed = 1;
  for (int l = 0; l < 3; ++l)
    for (int64_t M : sizes)
      for (int64_t N : sizes)
        for (int64_t K : sizes) {
          const bool all_large = M > 17 && N > 17 && K > 17;
          const bool kept = (M == 255 && N == 257 && K == 256) ||
                            (M == 257 && N == 256 && K == 255) ||
                            (M == 256 && N == 255 && K == 257);
          if (all_large && !kept) continue;
          const Problem p = make_problem(kLayouts[l][0], kLayouts[l][1], M, N, K, seed++);
          const Reference r = reference(p);
          for (const auto* t : ts)
            if (!check_close(t->name, p, r, run(t, p))) return;
        }
}

// TT (both stored transposed) is not used by softac's layers but is part of the contract.
TEST(gemm_tt_layout) {
  const auto ts = tables();
  const int64_t shapes[][3] = {{17, 3, 255}, {255, 17, 3}, {64, 48, 100}};
  for (const auto& s : shapes) {
    const Problem p = make_problem(1, 1, s[0], s[1], s[2], 7, 0.5f, 1.0f, true, 0);
    const Reference r = reference(p);
    for (const auto* t : ts) check_close(t->name, p, r, run(t, p));
  }
}

// alpha/beta variants (beta = 1 is how gradients accumulate) and the epilogue: bias added,
// ReLU and the mask applied after the full K sum, including K spanning several cache blocks.
TEST(gemm_alpha_beta_bias_relu) {
  const auto ts = tables();
  const int64_t shapes[][3] = {{17, 33, 257}, {255, 17, 3}, {6, 16, 256}, {256, 1, 256},
                               {256, 4, 256}, {256, 256, 1}, {13, 29, 700}};
  const float ab[][2] = {{1.0f, 0.0f}, {1.0f, 1.0f}, {-0.5f, 2.0f}, {0.25f, 0.0f}};
  uint64_t seed = 1000;
  for (const auto& s : shapes)
    for (int l = 0; l < 3; ++l)
      for (const auto& x : ab)
        for (int bias = 0; bias < 2; ++bias)
          for (int relu = 0; relu < 2; ++relu) {
            // The mask with every other combination, so the test does not double in time.
            const bool mask = (seed / 3) % 2 == 0;
            const Problem p = make_problem(kLayouts[l][0], kLayouts[l][1], s[0], s[1], s[2],
                                           seed++, x[0], x[1], bias, relu, mask);
            const Reference r = reference(p);
            for (const auto* t : ts) check_close(t->name, p, r, run(t, p));
          }
}

// Beyond one cache block in every direction: K over several KC blocks, N over NC, M over MC.
TEST(gemm_large_blocks) {
  const auto ts = tables();
  const int64_t shapes[][3] = {{5, 2100, 40}, {700, 7, 33}, {37, 41, 1300}};
  uint64_t seed = 2000;
  for (const auto& s : shapes)
    for (int l = 0; l < 3; ++l) {
      const Problem p = make_problem(kLayouts[l][0], kLayouts[l][1], s[0], s[1], s[2], seed++,
                                     1.0f, 1.0f, true, 1);
      const Reference r = reference(p);
      for (const auto* t : ts) check_close(t->name, p, r, run(t, p));
    }
}

// K == 0: op(A) op(B) is all zeros, so C = beta*C (+ bias) (ReLU); A and B are not read.
TEST(gemm_k_zero) {
  for (const auto* t : tables()) {
    Problem p = make_problem(0, 0, 7, 19, 0, 3, 1.0f, 0.5f, true, 1);
    const std::vector<float> C = run(t, p);
    for (int64_t i = 0; i < 7; ++i)
      for (int64_t j = 0; j < 19; ++j) {
        float want = 0.5f * p.C0[i * 19 + j] + p.bias[j];
        if (want < 0.0f) want = 0.0f;
        CHECK(C[i * 19 + j] == want, "%s K=0: C[%lld,%lld] = %g, want %g", t->name,
              (long long)i, (long long)j, C[i * 19 + j], want);
      }
  }
}

// The threaded driver hands out disjoint tiles aligned to (mr, nr): any tiling must give
// the bit-identical C of one whole call, and a tile call must write only its own tile.
TEST(gemm_tiles_bit_identical_to_whole) {
  const int64_t shapes[][3] = {{257, 131, 300}, {100, 4, 256}, {64, 300, 1}, {31, 70, 17}};
  uint64_t seed = 3000;
  for (const auto* t : tables())
    for (const auto& s : shapes)
      for (int l = 0; l < 3; ++l)
        for (int variant = 0; variant < 2; ++variant) {
          const Problem p =
              variant == 0
                  ? make_problem(kLayouts[l][0], kLayouts[l][1], s[0], s[1], s[2], seed++)
                  : make_problem(kLayouts[l][0], kLayouts[l][1], s[0], s[1], s[2], seed++,
                                 0.75f, 1.0f, true, 1, true);
          const std::vector<float> whole = run(t, p);
          const int64_t M = p.M, N = p.N;
          const float* bias = p.bias.empty() ? nullptr : p.bias.data();
          const float* mask = p.mask.empty() ? nullptr : p.mask.data();
          // Cut points: random multiples of the micro-tile, a different grid per attempt.
          Rng r(seed * 31 + 7);
          for (int attempt = 0; attempt < 3; ++attempt) {
            std::vector<int64_t> mcut{0}, ncut{0};
            while (mcut.back() < M) {
              const int64_t step = t->mr * (1 + static_cast<int64_t>(r.uniform(0.0f, 6.0f)));
              mcut.push_back(mcut.back() + step < M ? mcut.back() + step : M);
            }
            while (ncut.back() < N) {
              const int64_t step = t->nr * (1 + static_cast<int64_t>(r.uniform(0.0f, 6.0f)));
              ncut.push_back(ncut.back() + step < N ? ncut.back() + step : N);
            }
            std::vector<float> C = p.C0;
            // Tiles in reverse order, each checked to leave the rest of C alone.
            for (size_t bi = mcut.size() - 1; bi-- > 0;)
              for (size_t bj = ncut.size() - 1; bj-- > 0;) {
                const int64_t m0 = mcut[bi], m1 = mcut[bi + 1], n0 = ncut[bj], n1 = ncut[bj + 1];
                std::vector<float> before = C;
                t->gemm(p.ta, p.tb, M, N, p.K, p.alpha, p.A.data(), p.B.data(), p.beta,
                        C.data(), bias, p.relu, mask, m0, m1, n0, n1);
                bool outside_ok = true;
                for (int64_t i = 0; i < M && outside_ok; ++i)
                  for (int64_t j = 0; j < N; ++j) {
                    if (i >= m0 && i < m1 && j >= n0 && j < n1) continue;
                    if (std::memcmp(&C[i * N + j], &before[i * N + j], 4) != 0) {
                      outside_ok = false;
                      break;
                    }
                  }
                CHECK(outside_ok, "%s %s tile [%lld:%lld, %lld:%lld] wrote outside itself",
                      t->name, layout(p), (long long)m0, (long long)m1, (long long)n0,
                      (long long)n1);
              }
            const bool same = std::memcmp(C.data(), whole.data(), C.size() * 4) == 0;
            CHECK(same, "%s %s M=%lld N=%lld K=%lld variant %d: tiled C differs from whole",
                  t->name, layout(p), (long long)M, (long long)N, (long long)p.K, variant);
            if (!same) return;
          }
        }
}

// Each SIMD path against the scalar one on SAC's shapes (batch 256, hidden 256, small
// input and action sizes), within the tolerance of the float64 reference.
TEST(gemm_simd_matches_scalar) {
  const softac_kernel_table* scalar = softac::table_for("scalar");
  const int64_t shapes[][3] = {{256, 256, 256}, {256, 4, 256}, {256, 256, 1}, {256, 256, 3},
                               {100, 1, 256}};
  uint64_t seed = 4000;
  for (const auto* t : tables()) {
    if (t == scalar) continue;
    for (const auto& s : shapes)
      for (int l = 0; l < 3; ++l) {
        const Problem p = make_problem(kLayouts[l][0], kLayouts[l][1], s[0], s[1], s[2], seed++,
                                       1.0f, 1.0f, true, 1);
        const std::vector<float> cs = run(scalar, p), cv = run(t, p);
        Reference r = reference(p);
        r.c.assign(cs.begin(), cs.end());
        // Both are within tol of the exact value, so within 2*tol of each other.
        for (auto& x : r.tol) x *= 2.0;
        check_close(std::string(t->name) + " vs scalar", p, r, cv);
      }
  }
}
