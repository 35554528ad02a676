import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import type { Kernels } from '../../src/kernels/index.js';
import { assertClose, guarded, Rng, U32, unaligned } from '../helpers/assert.js';
import { kernelBackends } from '../helpers/backends.js';

const gemm = suite('gemm');

/**
 * C = alpha op(A) op(B) + beta C0 in float64 (A is (m,k) or (k,m) if ta; B is (k,n) or
 * (n,k) if tb), and the float32 error allowance of each element: recursive summation of k
 * products plus the alpha/beta products and sums is within (k + 4) u of
 * sum_p |alpha a b| + |beta c0| (Higham, Accuracy and Stability, ch. 3).
 */
function gemm64(ta: boolean, tb: boolean, m: number, n: number, k: number, alpha: number,
  a: Float32Array, b: Float32Array, beta: number, c0: Float32Array): { c: Float64Array; atol: Float64Array } {
  const c = new Float64Array(m * n), atol = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0, mag = 0;
      for (let p = 0; p < k; p++) {
        const x = (ta ? a[p * m + i]! : a[i * k + p]!) * (tb ? b[j * k + p]! : b[p * n + j]!);
        acc += x;
        mag += Math.abs(x);
      }
      const old = beta === 0 ? 0 : beta * c0[i * n + j]!;
      c[i * n + j] = alpha * acc + old;
      atol[i * n + j] = (k + 4) * U32 * (Math.abs(alpha) * mag + Math.abs(old));
    }
  }
  return { c, atol };
}

const MODES: Array<[boolean, boolean, string]> = [[false, false, 'NN'], [false, true, 'NT'], [true, false, 'TN']];

// Awkward sizes around SIMD widths and micro-tiles: every small combination, then a few
// large and skinny ones (the 257x255x256 cube is 17M multiply-adds: keep the list short).
const SMALL = [1, 3, 17];
const SHAPES: Array<[number, number, number]> = [];
for (const m of SMALL) for (const n of SMALL) for (const k of SMALL) SHAPES.push([m, n, k]);
SHAPES.push([256, 1, 257], [1, 257, 255], [255, 3, 256], [17, 256, 255], [3, 17, 257], [257, 255, 256]);

function run(kernels: Kernels, ta: boolean, tb: boolean,
  m: number, n: number, k: number, alpha: number, beta: number, c0: Float32Array, seed: number, label: string): void {
  const rng = new Rng(seed);
  const a = unaligned(rng.array(m * k));
  const b = unaligned(rng.array(k * n));
  const out = guarded(m * n, c0);
  kernels.gemm(ta, tb, m, n, k, alpha, a, b, beta, out.x);
  const want = gemm64(ta, tb, m, n, k, alpha, a, b, beta, c0);
  assertClose(out.x, want.c, { atol: want.atol, label });
  out.checkGuards(label);
}

for (const be of kernelBackends()) {
  for (const [ta, tb, mode] of MODES) {
    gemm(`${be.label} ${mode}: alpha = -1.5, beta = 0.75 on awkward shapes`, () => {
      be.setup();
      for (const [m, n, k] of SHAPES) {
        const c0 = new Rng(m * 1000 + n).array(m * n);
        run(be.kernels, ta, tb, m, n, k, -1.5, 0.75, c0, m + 7 * n + 31 * k, `${mode} ${m}x${n}x${k}`);
      }
    });

    gemm(`${be.label} ${mode}: beta = 0 never reads C (NaN-filled C)`, () => {
      be.setup();
      for (const [m, n, k] of [[3, 17, 1], [17, 3, 17], [255, 17, 256]] as const) {
        const c0 = new Float32Array(m * n).fill(NaN);
        run(be.kernels, ta, tb, m, n, k, 1, 0, c0, 5 + m, `${mode} ${m}x${n}x${k}`);
        // assertClose lets NaN match NaN only where expected is NaN, which gemm64 never is.
      }
    });

    gemm(`${be.label} ${mode}: beta = 1 accumulates into C`, () => {
      be.setup();
      for (const [m, n, k] of [[1, 1, 1], [17, 255, 3], [256, 17, 257]] as const) {
        const c0 = new Rng(11).array(m * n, -100, 100);
        run(be.kernels, ta, tb, m, n, k, 1, 1, c0, 9 + n, `${mode} ${m}x${n}x${k}`);
      }
    });
  }

  gemm(`${be.label}: a hand-worked 2x2x3 product`, () => {
    be.setup();
    // [1 2 3; 4 5 6] * [1 0; 0 1; 1 1] = [4 5; 10 11], then 2 * that + 0.5 * [2 4; 6 8].
    const c = new Float32Array([2, 4, 6, 8]);
    be.kernels.gemm(false, false, 2, 2, 3, 2, new Float32Array([1, 2, 3, 4, 5, 6]),
      new Float32Array([1, 0, 0, 1, 1, 1]), 0.5, c);
    assert.equal(Array.from(c), [9, 12, 23, 26]);
  });

  gemm(`${be.label}: empty dimensions`, () => {
    be.setup();
    // k = 0: op(A) op(B) is the zero matrix, so C = beta C (and 0 with beta = 0, NaN or not).
    const c = new Float32Array([1, -2, 3, 4, 5, 6]);
    be.kernels.gemm(false, false, 2, 3, 0, 1, new Float32Array(0), new Float32Array(0), 0.5, c);
    assert.equal(Array.from(c), [0.5, -1, 1.5, 2, 2.5, 3]);
    c.fill(NaN);
    be.kernels.gemm(false, true, 2, 3, 0, 1, new Float32Array(0), new Float32Array(0), 0, c);
    assert.equal(Array.from(c), [0, 0, 0, 0, 0, 0]);
    // m = 0 or n = 0: nothing to write, and nothing else may be touched.
    const g = guarded(0);
    be.kernels.gemm(true, false, 0, 5, 4, 1, new Float32Array(0), new Float32Array(20), 1, g.x);
    be.kernels.gemm(false, false, 4, 0, 5, 1, new Float32Array(20), new Float32Array(0), 0, g.x);
    g.checkGuards('m = 0 / n = 0');
  });
}

gemm.run();
