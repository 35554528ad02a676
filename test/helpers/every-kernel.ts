/**
 * Every kernel run once on fixed data, on shapes big enough for the native driver to split
 * (rows, columns, elements): for the tests that compare two runs bit for bit (1 and 2
 * threads; the WebAssembly path against the native scalar path).
 */
import type { Kernels } from '../../src/kernels/index.js';
import { Rng } from './assert.js';

const N = 1_000_003;

/** Runs every kernel once on fixed data; returns each output (and scalar) by name. */
export function runAll(k: Kernels): Map<string, Float32Array | number> {
  const results = new Map<string, Float32Array | number>();
  const rng = new Rng(2024);
  const x = rng.array(N, -4, 4), y = rng.array(N, -1, 1), dy = rng.array(N);
  const out = (name: string, f: (o: Float32Array) => void, init?: Float32Array): void => {
    const o = init ? init.slice() : new Float32Array(N);
    f(o);
    results.set(name, o);
  };

  const [m, n, kk] = [257, 255, 256];
  const a = rng.array(m * kk), b = rng.array(kk * n), c0 = rng.array(m * n);
  for (const [ta, tb] of [[false, false], [false, true], [true, false]] as const) {
    out(`gemm ta=${ta} tb=${tb}`, (c) => k.gemm(ta, tb, m, n, kk, 0.5, a, b, 0.25, c), c0);
  }
  // linear: B = 257, I = 255, O = 256.
  const w = rng.array(256 * 255), inp = rng.array(257 * 255), bias = rng.array(256), dout = rng.array(257 * 256);
  out('linearForward', (o) => k.linearForward(o, inp, w, bias, 257, 255, 256, true), new Float32Array(257 * 256));
  out('linearBackward dinp', (o) => k.linearBackward(o, null, null, dout, inp, w, 257, 255, 256), rng.array(257 * 255));
  out('linearBackward dweight', (o) => k.linearBackward(null, o, null, dout, inp, w, 257, 255, 256), rng.array(256 * 255));
  out('linearBackward dbias', (o) => k.linearBackward(null, null, o, dout, inp, w, 257, 255, 256), rng.array(256));
  // Thin layers (dot products): one output over 4099 rows, and one row into 4099 outputs.
  const tx = rng.array(4099 * 255), tw = rng.array(4099 * 255), tv = rng.array(255), tb = rng.array(4099), td = rng.array(4099);
  out('linearForward O=1', (o) => k.linearForward(o, tx, tv, tb.subarray(0, 1), 4099, 255, 1, false), new Float32Array(4099));
  out('linearForward B=1', (o) => k.linearForward(o, tv, tw, tb, 1, 255, 4099, true), new Float32Array(4099));
  out('linearBackward O=1 dinp', (o) => k.linearBackward(o, null, null, td, tx, tv, 4099, 255, 1), rng.array(4099 * 255));
  out('linearBackward O=1 dweight', (o) => k.linearBackward(null, o, null, td, tx, tv, 4099, 255, 1), rng.array(255));
  out('linearBackward B=1 dinp', (o) => k.linearBackward(o, null, null, td, tv, tw, 1, 255, 4099), rng.array(255));
  out('linearBackward B=1 dweight', (o) => k.linearBackward(null, o, null, td, tv, tw, 1, 255, 4099), rng.array(4099 * 255));

  out('tanh', (o) => k.tanh(o, x));
  out('tanhBackward', (o) => k.tanhBackward(o, dy, y), y);
  out('exp', (o) => k.exp(o, x));
  out('log', (o) => k.log(o, y.map(Math.abs)));
  out('softplus', (o) => k.softplus(o, x));
  out('relu', (o) => k.relu(o, x));
  out('reluBackward', (o) => k.reluBackward(o, dy, x), y);
  out('reluGrad', (o) => k.reluGrad(o, dy, x), y);
  out('clamp', (o) => k.clamp(o, x, -1, 2));
  out('clampBackward', (o) => k.clampBackward(o, dy, x, -1, 2), y);
  out('minimum', (o) => k.minimum(o, x, y));
  out('minimumBackward da', (o) => k.minimumBackward(o, new Float32Array(N), dy, x, y), y);
  out('add', (o) => k.add(o, x, y));
  out('mul', (o) => k.mul(o, x, y));
  out('axpy', (o) => k.axpy(o, 0.3, x), y);
  out('scale', (o) => k.scale(o, x, 0.3));
  results.set('sum', k.sum(x));
  results.set('mean', k.mean(x));
  out('sumRows', (o) => k.sumRows(o, x.subarray(0, 4099 * 243), 4099, 243), new Float32Array(4099));
  out('sumColsAcc', (o) => k.sumColsAcc(o, x.subarray(0, 4099 * 243), 4099, 243), rng.array(243));

  // squash: 4099 rows of 6 action dims.
  const R = 4099, A = 6, ra = R * A;
  const mu = rng.array(ra, -3, 3), ls = rng.array(ra, -22, 3), eps = rng.normalArray(ra);
  const sc = rng.array(A, 0.5, 2), sh = rng.array(A);
  const logp = new Float32Array(R);
  out('squashForward a', (o) => k.squashForward(o, logp, mu, ls, eps, sc, sh, R, A), new Float32Array(ra));
  results.set('squashForward logp', logp);
  const dls = rng.array(ra);
  out('squashBackward dmu', (o) => k.squashBackward(o, dls, rng.array(ra), rng.array(R), mu, ls, eps, sc, R, A), rng.array(ra));
  results.set('squashBackward dlogStd', dls);

  const p = x.slice(), mAdam = new Float32Array(N), v = new Float32Array(N);
  for (let t = 1; t <= 2; t++) k.adam(p, dy, mAdam, v, t, 1e-3, 0.9, 0.999, 1e-8, 0.01);
  results.set('adam p', p);
  results.set('adam m', mAdam);
  results.set('adam v', v);
  out('polyak', (o) => k.polyak(o, x, 0.995), y);
  out('fill', (o) => k.fill(o, 0.1));
  return results;
}

