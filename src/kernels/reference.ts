/**
 * The TypeScript reference of every kernel: the oracle the native paths are tested against,
 * and the fallback when the addon is absent. Written to be checked by eye against the math
 * in types.ts: each element is computed in float64 and rounded once, when it is stored into
 * its Float32Array. Speed is secondary (plain loops, no per-element closures).
 */
import { type KernelInfo, type Kernels, LOG_STD_MAX, LOG_STD_MIN } from './types.js';
import * as check from './validate.js';

const LOG2 = Math.LN2;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|). Above 20 it returns x, as
 * torch.nn.functional.softplus with its default threshold does (the difference is < 3e-9).
 */
function softplus64(x: number): number {
  if (x > 20) return x;
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

let numThreads = 1;

/**
 * The kernels, with `round` applied where a value is not rounded by being stored into a
 * Float32Array (returned sums, clamp bounds, the squashed Gaussian's std and sample u, which
 * PyTorch holds in float32 tensors): Math.fround for float32, the identity for
 * float64.
 */
const makeReference = (round: (x: number) => number): Kernels => ({
  backend: 'js',

  info(): KernelInfo {
    return { backend: 'js', path: 'js', paths: [], compiledPaths: [], threads: numThreads };
  },

  setNumThreads(n) {
    check.setNumThreads(n);
    numThreads = n;
  },

  // A is (m,k) or (k,m) if transA; B is (k,n) or (n,k) if transB; C is (m,n).
  gemm(transA, transB, m, n, k, alpha, a, b, beta, c) {
    check.gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
    // Strides of op(A)[i, p] and op(B)[p, j] in the stored arrays.
    const [aI, aP] = transA ? [1, m] : [k, 1];
    const [bP, bJ] = transB ? [1, k] : [n, 1];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += a[i * aI + p * aP] * b[p * bP + j * bJ];
        // beta = 0 must not read C: it may hold NaN (e.g. fresh, uninitialised scratch).
        c[i * n + j] = beta === 0 ? alpha * acc : alpha * acc + beta * c[i * n + j];
      }
    }
  },

  // inp is (B,I), weight is (O,I), bias is (O), out is (B,O).
  linearForward(out, inp, weight, bias, B, I, O, relu) {
    check.linearForward(out, inp, weight, bias, B, I, O, relu);
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < O; o++) {
        let acc = bias === null ? 0 : bias[o];
        for (let i = 0; i < I; i++) acc += inp[b * I + i] * weight[o * I + i];
        // `acc < 0` keeps NaN as NaN, as torch.relu does.
        out[b * O + o] = relu && acc < 0 ? 0 : acc;
      }
    }
  },

  // dout is (B,O), inp is (B,I), weight is (O,I); dinp (B,I), dweight (O,I), dbias (O).
  linearBackward(dinp, dweight, dbias, dout, inp, weight, B, I, O) {
    check.linearBackward(dinp, dweight, dbias, dout, inp, weight, B, I, O);
    if (dinp !== null) {
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < I; i++) {
          let acc = 0;
          for (let o = 0; o < O; o++) acc += dout[b * O + o] * weight[o * I + i];
          dinp[b * I + i] = dinp[b * I + i] + acc;
        }
      }
    }
    if (dweight !== null) {
      for (let o = 0; o < O; o++) {
        for (let i = 0; i < I; i++) {
          let acc = 0;
          for (let b = 0; b < B; b++) acc += dout[b * O + o] * inp[b * I + i];
          dweight[o * I + i] = dweight[o * I + i] + acc;
        }
      }
    }
    if (dbias !== null) {
      for (let o = 0; o < O; o++) {
        let acc = 0;
        for (let b = 0; b < B; b++) acc += dout[b * O + o];
        dbias[o] = dbias[o] + acc;
      }
    }
  },

  linearInputGrad(dinp, dout, weight, mask, B, I, O) {
    check.linearInputGrad(dinp, dout, weight, mask, B, I, O);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < I; i++) {
        let acc = 0;
        for (let o = 0; o < O; o++) acc += dout[b * O + o] * weight[o * I + i];
        // As linearBackward onto zeros (0 + acc, rounded once on the store), then reluGrad.
        dinp[b * I + i] = mask === null || mask[b * I + i] > 0 ? acc : 0;
      }
    }
  },

  tanh(out, x) {
    check.tanh(out, x);
    for (let i = 0; i < x.length; i++) out[i] = Math.tanh(x[i]);
  },

  tanhBackward(dx, dy, y) {
    check.tanhBackward(dx, dy, y);
    for (let i = 0; i < dx.length; i++) dx[i] = dx[i] + dy[i] * (1 - y[i] * y[i]);
  },

  exp(out, x) {
    check.exp(out, x);
    for (let i = 0; i < x.length; i++) out[i] = Math.exp(x[i]);
  },

  log(out, x) {
    check.log(out, x);
    for (let i = 0; i < x.length; i++) out[i] = Math.log(x[i]);
  },

  softplus(out, x) {
    check.softplus(out, x);
    for (let i = 0; i < x.length; i++) out[i] = softplus64(x[i]);
  },

  relu(out, x) {
    check.relu(out, x);
    for (let i = 0; i < x.length; i++) out[i] = x[i] < 0 ? 0 : x[i];
  },

  reluBackward(dx, dy, y) {
    check.reluBackward(dx, dy, y);
    for (let i = 0; i < dx.length; i++) if (y[i] > 0) dx[i] = dx[i] + dy[i];
  },

  reluGrad(out, dy, y) {
    check.reluGrad(out, dy, y);
    for (let i = 0; i < out.length; i++) out[i] = y[i] > 0 ? dy[i] : 0;
  },

  clamp(out, x, lo, hi) {
    check.clamp(out, x, lo, hi);
    // The bounds are rounded to float32 as PyTorch does for a float tensor, so an x equal
    // to fround(-0.3) sits exactly on the bound -0.3. Math.max/min propagate NaN, as torch.clamp.
    const lo32 = round(lo), hi32 = round(hi);
    for (let i = 0; i < x.length; i++) out[i] = Math.min(Math.max(x[i], lo32), hi32);
  },

  clampBackward(dx, dy, x, lo, hi) {
    check.clampBackward(dx, dy, x, lo, hi);
    const lo32 = round(lo), hi32 = round(hi);
    for (let i = 0; i < dx.length; i++) if (lo32 <= x[i] && x[i] <= hi32) dx[i] = dx[i] + dy[i];
  },

  minimum(out, a, b) {
    check.minimum(out, a, b);
    for (let i = 0; i < a.length; i++) out[i] = Math.min(a[i], b[i]);
  },

  minimumBackward(da, db, dy, a, b) {
    check.minimumBackward(da, db, dy, a, b);
    for (let i = 0; i < dy.length; i++) {
      if (a[i] < b[i]) {
        da[i] = da[i] + dy[i];
      } else if (a[i] > b[i]) {
        db[i] = db[i] + dy[i];
      } else {
        // A tie: torch.minimum's backward gives each side half.
        da[i] = da[i] + dy[i] / 2;
        db[i] = db[i] + dy[i] / 2;
      }
    }
  },

  add(out, a, b) {
    check.add(out, a, b);
    for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
  },

  mul(out, a, b) {
    check.mul(out, a, b);
    for (let i = 0; i < out.length; i++) out[i] = a[i] * b[i];
  },

  axpy(y, alpha, x) {
    check.axpy(y, alpha, x);
    for (let i = 0; i < y.length; i++) y[i] = y[i] + alpha * x[i];
  },

  scale(out, x, alpha) {
    check.scale(out, x, alpha);
    for (let i = 0; i < out.length; i++) out[i] = alpha * x[i];
  },

  sum(x) {
    check.sum(x);
    let acc = 0;
    for (let i = 0; i < x.length; i++) acc += x[i];
    return round(acc);
  },

  mean(x) {
    check.mean(x);
    let acc = 0;
    for (let i = 0; i < x.length; i++) acc += x[i];
    return round(acc / x.length);
  },

  // x is (rows, cols), out is (rows).
  sumRows(out, x, rows, cols) {
    check.sumRows(out, x, rows, cols);
    for (let r = 0; r < rows; r++) {
      let acc = 0;
      for (let c = 0; c < cols; c++) acc += x[r * cols + c];
      out[r] = acc;
    }
  },

  // x is (rows, cols), out is (cols).
  sumColsAcc(out, x, rows, cols) {
    check.sumColsAcc(out, x, rows, cols);
    for (let c = 0; c < cols; c++) {
      let acc = 0;
      for (let r = 0; r < rows; r++) acc += x[r * cols + c];
      out[c] = out[c] + acc;
    }
  },

  // mu, logStd, eps, a are (rows, A); scale, shift are (A); logp is (rows).
  squashForward(a, logp, mu, logStd, eps, scale, shift, rows, A) {
    check.squashForward(a, logp, mu, logStd, eps, scale, shift, rows, A);
    for (let r = 0; r < rows; r++) {
      let lp = 0;
      for (let j = 0; j < A; j++) {
        const idx = r * A + j;
        const ls = Math.min(Math.max(logStd[idx], LOG_STD_MIN), LOG_STD_MAX);
        // std and u rounded as PyTorch's float32 ops round them (exp, then mul, then add),
        // so that z below is the z of the sample actually drawn.
        const std = round(Math.exp(ls));
        const u = round(mu[idx] + round(std * eps[idx]));
        a[idx] = scale[j] * Math.tanh(u) + shift[j];
        // Normal(mu, std).log_prob(u) as torch.distributions computes it, from z = (u - mu) / std
        // of the rounded sample: with a clamped std of e^-20, u rounds to mu and z is 0, and
        // PyTorch's logp has no -eps^2/2 term; softac's follows it. Then the tanh correction
        // log(1 - tanh(u)^2) written the stable way (Spinning Up, from the SAC paper's
        // appendix C): 2 (log 2 - u - softplus(-2u)); it never takes log of 1 - 1 = 0.
        const z = (u - mu[idx]) / std;
        lp += -0.5 * z * z - ls - HALF_LOG_2PI;
        lp -= 2 * (LOG2 - u - softplus64(-2 * u));
      }
      if (logp !== null) logp[r] = lp;
    }
  },

  // da, mu, logStd, eps, dmu, dlogStd are (rows, A); dlogp is (rows); scale is (A).
  squashBackward(dmu, dlogStd, da, dlogp, mu, logStd, eps, scale, rows, A) {
    check.squashBackward(dmu, dlogStd, da, dlogp, mu, logStd, eps, scale, rows, A);
    for (let r = 0; r < rows; r++) {
      const dl = dlogp === null ? 0 : dlogp[r];
      for (let j = 0; j < A; j++) {
        const idx = r * A + j;
        const inside = LOG_STD_MIN <= logStd[idx] && logStd[idx] <= LOG_STD_MAX;
        const ls = Math.min(Math.max(logStd[idx], LOG_STD_MIN), LOG_STD_MAX);
        const std = round(Math.exp(ls));
        const th = Math.tanh(round(mu[idx] + round(std * eps[idx])));
        // d logp / du of the correction is 2 tanh(u); the Normal term does not depend on u
        // once eps is fixed (its mu and std paths cancel).
        let du = dl * 2 * th;
        if (da !== null) du += da[idx] * scale[j] * (1 - th * th);
        dmu[idx] = dmu[idx] + du;
        // du/dls = std * eps; the Normal term contributes d(-ls)/dls = -1 per unit dlogp.
        if (inside) dlogStd[idx] = dlogStd[idx] + du * std * eps[idx] - dl;
      }
    }
  },

  adam(p, g, m, v, t, lr, beta1, beta2, eps, weightDecay) {
    check.adam(p, g, m, v, t, lr, beta1, beta2, eps, weightDecay);
    // torch.optim.Adam (single-tensor path): step_size = lr / bias_correction1 and the
    // denominator sqrt(v) / sqrt(bias_correction2) + eps.
    const stepSize = lr / (1 - beta1 ** t);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + weightDecay * p[i];
      // m.lerp_(g, 1 - beta1), which is m + (1 - beta1) (g - m).
      m[i] = m[i] + (1 - beta1) * (gi - m[i]);
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      // The update reads m and v as stored (float32), as PyTorch does.
      p[i] = p[i] - stepSize * (m[i] / (Math.sqrt(v[i]) / bc2Sqrt + eps));
    }
  },

  polyak(targ, p, polyak) {
    check.polyak(targ, p, polyak);
    for (let i = 0; i < targ.length; i++) targ[i] = polyak * targ[i] + (1 - polyak) * p[i];
  },

  fill(x, value) {
    check.fill(x, value);
    x.fill(value);
  },
});

export const referenceKernels: Kernels = makeReference(Math.fround);

/**
 * The same kernels on Float64Arrays (typed as Float32Array), rounding nothing: the oracle
 * of the finite-difference gradient checks (test/autograd/gradcheck.test.ts), where float32
 * rounding would swamp the differences. Not a backend: nothing selects it.
 */
export const referenceKernels64: Kernels = (() => {
  const k = makeReference((x) => x) as unknown as Record<string, unknown>;
  for (const [name, f] of Object.entries(k)) {
    if (typeof f === 'function') k[name] = (...args: unknown[]) => check.withFloat64Arrays(() => f(...args));
  }
  return k as unknown as Kernels;
})();
