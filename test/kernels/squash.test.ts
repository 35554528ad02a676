import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import type { Kernels } from '../../src/kernels/index.js';
import { assertClose, guarded, Rng, U32, unaligned } from '../helpers/assert.js';
import { kernelBackends } from '../helpers/backends.js';

const squash = suite('squash');

// Written out here, independently of src/kernels/reference.ts: Spinning Up's core.py.
const LOG_STD_MIN = -20, LOG_STD_MAX = 2;
const softplus64 = (y: number): number => (y > 0 ? y + Math.log1p(Math.exp(-y)) : Math.log1p(Math.exp(y)));

/** The squash's inputs for the float64 math (float64 copies allowed, for differences). */
interface Params {
  mu: ArrayLike<number>; logStd: ArrayLike<number>; eps: ArrayLike<number>; scale: ArrayLike<number>;
  shift: ArrayLike<number>; rows: number; A: number;
}

/** The same, as the kernels take them. */
interface Inputs extends Params {
  mu: Float32Array; logStd: Float32Array; eps: Float32Array; scale: Float32Array; shift: Float32Array;
}

/** Per element: u, tanh(u), the clamped log std and std, all in float64. */
function pre(x: Params, idx: number): { ls: number; std: number; u: number; t: number } {
  const ls = Math.min(Math.max(x.logStd[idx]!, LOG_STD_MIN), LOG_STD_MAX);
  const std = Math.exp(ls);
  const u = x.mu[idx]! + std * x.eps[idx]!;
  return { ls, std, u, t: Math.tanh(u) };
}

/**
 * The forward in float64 (with float32 rounding of the sample, see below) and float32
 * allowances. An error of du in u (float32 rounding of
 * mu + std eps) moves tanh by (1 - t^2) du and the correction by 2 |t| du; every other
 * quantity carries a few roundings of its own magnitude.
 */
function forward64(x: Params, round: (v: number) => number = Math.fround): { a: Float64Array; logp: Float64Array; atolA: Float64Array; atolLogp: Float64Array } {
  const n = x.rows * x.A;
  const a = new Float64Array(n), atolA = new Float64Array(n);
  const logp = new Float64Array(x.rows), atolLogp = new Float64Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    for (let j = 0; j < x.A; j++) {
      const idx = r * x.A + j;
      const { ls, std, u, t } = pre(x, idx);
      const e = x.eps[idx]!, sc = x.scale[j]!, sh = x.shift[j]!;
      const du = 8 * U32 * (Math.abs(x.mu[idx]!) + Math.abs(std * e));
      a[idx] = sc * t + sh;
      atolA[idx] = Math.abs(sc) * ((1 - t * t) * du + 8 * U32 * Math.abs(t)) + 2 * U32 * Math.abs(sh);
      const correction = 2 * (Math.LN2 - u - softplus64(-2 * u));
      // Normal.log_prob as PyTorch evaluates it: z = (u - mu) / std of the float32 sample
      // u = mu + std * eps (each op rounded), which is eps up to that rounding and 0 when a
      // clamped std of e^-20 leaves u = mu. `round` = identity gives the exact math (z = eps).
      const std32 = round(std), z = (round(x.mu[idx]! + round(std32 * e)) - x.mu[idx]!) / std32;
      logp[r]! += -0.5 * z * z - ls - 0.5 * Math.log(2 * Math.PI) - correction;
      atolLogp[r]! += 2 * du + 8 * U32 * (0.5 * e * e + Math.abs(ls) + 1 + Math.abs(correction) + 2 * Math.abs(u));
    }
  }
  return { a, logp, atolA, atolLogp };
}

/** dmu and dlogStd (accumulated onto init) in float64, with float32 allowances. */
function backward64(x: Params, da: Float32Array | null, dlogp: Float32Array | null, dmu0: Float32Array,
  dls0: Float32Array): { dmu: Float64Array; dls: Float64Array; atolMu: Float64Array; atolLs: Float64Array } {
  const n = x.rows * x.A;
  const dmu = new Float64Array(n), dls = new Float64Array(n);
  const atolMu = new Float64Array(n), atolLs = new Float64Array(n);
  for (let r = 0; r < x.rows; r++) {
    const dl = dlogp ? dlogp[r]! : 0;
    for (let j = 0; j < x.A; j++) {
      const idx = r * x.A + j;
      const { std, t } = pre(x, idx);
      const e = x.eps[idx]!;
      const g = da ? da[idx]! * x.scale[j]! : 0;
      const du = g * (1 - t * t) + dl * 2 * t;
      // Error in u, then in t = tanh(u) (a few ULP), then in 1 - t^2 (which cancels near |t| = 1).
      const errU = 8 * U32 * (Math.abs(x.mu[idx]!) + Math.abs(std * e));
      const errT = 8 * U32 * Math.abs(t) + (1 - t * t) * errU;
      const errDu = Math.abs(g) * (2 * errT + 4 * U32) + 2 * Math.abs(dl) * errT + 4 * U32 * Math.abs(du);
      dmu[idx] = dmu0[idx]! + du;
      atolMu[idx] = errDu + 2 * U32 * (Math.abs(dmu0[idx]!) + Math.abs(du));
      const inside = LOG_STD_MIN <= x.logStd[idx]! && x.logStd[idx]! <= LOG_STD_MAX;
      const dd = inside ? du * std * e - dl : 0;
      dls[idx] = dls0[idx]! + dd;
      atolLs[idx] = inside
        ? (errDu + 8 * U32 * Math.abs(du)) * Math.abs(std * e) + 4 * U32 * (Math.abs(dls0[idx]!) + Math.abs(dd) + Math.abs(dl))
        : 0;
    }
  }
  return { dmu, dls, atolMu, atolLs };
}

/** Random inputs; mu and log_std wide enough that |u| reaches about 30 and both clamps bite. */
function inputs(rows: number, A: number, seed: number, muRange = 20, lsLo = -22, lsHi = 3): Inputs {
  const rng = new Rng(seed);
  return {
    mu: unaligned(rng.array(rows * A, -muRange, muRange)),
    logStd: unaligned(rng.array(rows * A, lsLo, lsHi)),
    eps: unaligned(rng.normalArray(rows * A)),
    scale: unaligned(rng.array(A, 0.5, 3)),
    shift: unaligned(rng.array(A, -1, 1)),
    rows, A,
  };
}

const SHAPES: Array<[number, number]> = [[1, 1], [3, 17], [17, 3], [256, 1], [255, 6], [257, 8]];

function runForward(k: Kernels, x: Inputs, withLogp: boolean, label: string): void {
  const a = guarded(x.rows * x.A), logp = guarded(x.rows);
  k.squashForward(a.x, withLogp ? logp.x : null, x.mu, x.logStd, x.eps, x.scale, x.shift, x.rows, x.A);
  const want = forward64(x);
  assert.ok(a.x.every(Number.isFinite), `${label}: a is not finite`);
  assertClose(a.x, want.a, { atol: want.atolA, label: `${label} a` });
  a.checkGuards(`${label} a`);
  if (withLogp) {
    assert.ok(logp.x.every(Number.isFinite), `${label}: logp is not finite`);
    assertClose(logp.x, want.logp, { atol: want.atolLogp, label: `${label} logp` });
  }
  // With logp = null the logp buffer must stay untouched (guards included).
  logp.checkGuards(`${label} logp`);
  if (!withLogp) assert.ok(logp.x.every((v) => v === -12345.5), `${label}: logp = null, yet logp was written`);
}

function runBackward(k: Kernels, x: Inputs, withDa: boolean, withDlogp: boolean, seed: number, label: string): void {
  const rng = new Rng(seed);
  const n = x.rows * x.A;
  const da = withDa ? unaligned(rng.array(n)) : null;
  const dlogp = withDlogp ? unaligned(rng.array(x.rows)) : null;
  const dmu0 = rng.array(n), dls0 = rng.array(n);
  const dmu = guarded(n, dmu0), dls = guarded(n, dls0);
  k.squashBackward(dmu.x, dls.x, da, dlogp, x.mu, x.logStd, x.eps, x.scale, x.rows, x.A);
  const want = backward64(x, da, dlogp, dmu0, dls0);
  assertClose(dmu.x, want.dmu, { atol: want.atolMu, label: `${label} dmu` });
  assertClose(dls.x, want.dls, { atol: want.atolLs, label: `${label} dlogStd` });
  dmu.checkGuards(`${label} dmu`);
  dls.checkGuards(`${label} dlogStd`);
}

for (const be of kernelBackends()) {
  squash(`${be.label}: squashForward against float64, |u| up to ~30, with and without logp`, () => {
    be.setup();
    for (const [rows, A] of SHAPES) {
      const x = inputs(rows, A, rows * 100 + A);
      runForward(be.kernels, x, true, `${rows}x${A}`);
      runForward(be.kernels, x, false, `${rows}x${A} logp=null`);
    }
  });

  squash(`${be.label}: squashForward at u = +-30 and beyond stays finite and right`, () => {
    be.setup();
    // std = e^-20 and eps = 0 make u = mu exactly; the correction is 2 (log 2 - |u|) there.
    const mu = new Float32Array([30, -30, 60, -60, 0.5]);
    const x: Inputs = {
      mu, logStd: new Float32Array(5).fill(-20), eps: new Float32Array(5), rows: 5, A: 1,
      scale: new Float32Array([2]), shift: new Float32Array([0.5]),
    };
    runForward(be.kernels, x, true, 'saturated');
    const a = new Float32Array(5), logp = new Float32Array(5);
    be.kernels.squashForward(a, logp, x.mu, x.logStd, x.eps, x.scale, x.shift, 5, 1);
    assert.equal(Array.from(a.subarray(0, 4)), [2.5, -1.5, 2.5, -1.5], 'a saturates to scale * +-1 + shift');
    // logp = -log(2 pi)/2 + 20 - 2 (log 2 - 30) = 78.6948..., rows 0 and 1 alike.
    assertClose(logp[0]!, 20 - 0.5 * Math.log(2 * Math.PI) - 2 * (Math.LN2 - 30), { rtol: 1e-6, label: 'logp(u = 30)' });
    assert.is(logp[0], logp[1], 'the correction is even in u');
  });

  squash(`${be.label}: squashBackward against float64, every da / dlogp null combination`, () => {
    be.setup();
    for (const [rows, A] of SHAPES) {
      const x = inputs(rows, A, rows + A * 1000);
      for (const [withDa, withDlogp] of [[true, true], [true, false], [false, true], [false, false]] as const) {
        runBackward(be.kernels, x, withDa, withDlogp, rows + A, `${rows}x${A} da=${withDa} dlogp=${withDlogp}`);
      }
    }
  });

  squash(`${be.label}: log_std gradient is zero outside [-20, 2] and passes at the bounds`, () => {
    be.setup();
    const logStd = new Float32Array([-25, -20.5, -20, -19.5, 0, 1.5, 2, 2.5, 10]);
    const A = logStd.length;
    const x: Inputs = {
      mu: new Float32Array(A).fill(0.3), logStd, eps: new Float32Array(A).fill(0.7), rows: 1, A,
      scale: new Float32Array(A).fill(1), shift: new Float32Array(A),
    };
    runForward(be.kernels, x, true, 'clamp region');
    const dls = new Float32Array(A).fill(0.5), dmu = new Float32Array(A);
    be.kernels.squashBackward(dmu, dls, new Float32Array(A).fill(1), new Float32Array([1]), x.mu, logStd, x.eps,
      x.scale, 1, A);
    for (const i of [0, 1, 7, 8]) assert.is(dls[i], 0.5, `log_std = ${logStd[i]} is clamped: no gradient`);
    for (const i of [2, 3, 4, 5, 6]) assert.ok(Math.abs(dls[i]! - 0.5) > 0.1, `log_std = ${logStd[i]} passes a gradient`);
    const want = backward64(x, new Float32Array(A).fill(1), new Float32Array([1]), new Float32Array(A), new Float32Array(A).fill(0.5));
    assertClose(dls, want.dls, { atol: want.atolLs, label: 'dlogStd in the clamp region' });
    // mu's gradient does not care about the clamp.
    assertClose(dmu, want.dmu, { atol: want.atolMu, label: 'dmu in the clamp region' });
  });

  squash(`${be.label}: squashBackward matches central differences of the float64 forward`, () => {
    be.setup();
    for (const [muRange, seed] of [[2, 1], [8, 2]] as const) {
      // log_std kept clear of the clamp bounds, where the derivative jumps.
      const x = inputs(3, 4, seed, muRange, -3, 1.5);
      const rng = new Rng(seed + 50);
      const da = rng.array(12), dlogp = rng.array(3);
      // f = sum(da * a) + sum(dlogp * logp): its gradient is what squashBackward computes.
      const f = (p: Params): number => {
        const { a, logp } = forward64(p, (v) => v);
        let s = 0;
        for (let i = 0; i < 12; i++) s += da[i]! * a[i]!;
        for (let r = 0; r < 3; r++) s += dlogp[r]! * logp[r]!;
        return s;
      };
      // Moves one input in a float64 copy (a Float32Array would round x +- h).
      const h = 1e-3;
      const differences = (which: 'mu' | 'logStd'): number[] => Array.from(x[which], (v, i) => {
        const moved = (delta: number): number => {
          const p = Float64Array.from(x[which]);
          p[i] = v + delta;
          return f({ ...x, [which]: p });
        };
        return (moved(h) - moved(-h)) / (2 * h);
      });
      const dmu = new Float32Array(12), dls = new Float32Array(12);
      be.kernels.squashBackward(dmu, dls, da, dlogp, x.mu, x.logStd, x.eps, x.scale, 3, 4);
      const want = backward64(x, da, dlogp, new Float32Array(12), new Float32Array(12));
      const fdMu = differences('mu'), fdLs = differences('logStd');
      // Central differences with h = 1e-3 are good to about h^2 f''' ~ 1e-6 here.
      assertClose(dmu, fdMu, { atol: want.atolMu.map((t) => t + 1e-5), rtol: 1e-5, label: `dmu vs differences (|mu| <= ${muRange})` });
      assertClose(dls, fdLs, { atol: want.atolLs.map((t) => t + 1e-5), rtol: 1e-5, label: `dlogStd vs differences (|mu| <= ${muRange})` });
    }
  });
}

squash.run();
