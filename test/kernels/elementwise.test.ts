import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import type { Kernels } from '../../src/kernels/index.js';
import { assertClose, assertSameBits, assertUlp, guarded, maxUlp, Rng, U32, unaligned } from '../helpers/assert.js';
import { kernelBackends } from '../helpers/backends.js';

const elementwise = suite('elementwise');

// Around SIMD widths (4, 8, 16 floats) and their tails; 0 checks that empty arrays are fine.
const LENGTHS = [0, 1, 3, 17, 255, 256, 257, 4099];

/** log(1 + e^x) in float64, directly (no overflow below 700), x past PyTorch's threshold 20. */
const softplus64 = (x: number): number => (x > 20 ? x : Math.log1p(Math.exp(x)));

interface Unary {
  name: string;
  input(rng: Rng, n: number): Float32Array;
  run(k: Kernels, out: Float32Array, x: Float32Array): void;
  f(x: number): number;
  /** Allowed float32 ULPs from the correctly rounded result. */
  ulp: number;
}

/** n values whose logarithms are uniform in [log lo, log hi): every binade of positives. */
function logUniform(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
  return x;
}

const UNARY: Unary[] = [
  { name: 'tanh', input: (r, n) => r.array(n, -12, 12), run: (k, o, x) => k.tanh(o, x), f: Math.tanh, ulp: 4 },
  { name: 'exp', input: (r, n) => r.array(n, -87, 88), run: (k, o, x) => k.exp(o, x), f: Math.exp, ulp: 4 },
  {
    name: 'log', input: (r, n) => logUniform(r, n, 1e-37, 1e38), run: (k, o, x) => k.log(o, x),
    f: Math.log, ulp: 4,
  },
  {
    name: 'softplus', input: (r, n) => r.array(n, -80, 40), run: (k, o, x) => k.softplus(o, x),
    f: softplus64, ulp: 4,
  },
  { name: 'relu', input: (r, n) => r.array(n), run: (k, o, x) => k.relu(o, x), f: (x) => Math.max(x, 0), ulp: 0 },
  {
    // Bounds exactly representable in float32, so both backends compare against the same value.
    name: 'clamp', input: (r, n) => r.array(n), run: (k, o, x) => k.clamp(o, x, -0.5, 0.75),
    f: (x) => Math.min(Math.max(x, -0.5), 0.75), ulp: 0,
  },
];

/** Runs the kernel on a guarded output and checks it against f in float64 and the guards. */
function checkUnary(k: Kernels, spec: Unary, x: Float32Array, label: string): void {
  const out = guarded(x.length);
  spec.run(k, out.x, unaligned(x));
  assertUlp(out.x, Array.from(x, spec.f), spec.ulp, label, x);
  out.checkGuards(label);
}

/** Points where a float32 elementary function is hard: a fine grid and every binade. */
function sweep(lo: number, hi: number, step: number, tinyFrom?: number): Float32Array {
  const xs: number[] = [];
  for (let x = lo; x <= hi; x += step) xs.push(x);
  if (tinyFrom !== undefined) {
    for (let e = tinyFrom; e < 0; e += 1 / 64) xs.push(2 ** e, -(2 ** e));
  }
  return new Float32Array(xs);
}

const SWEEPS: Array<[string, Float32Array]> = [
  ['tanh', sweep(-12, 12, 2 ** -12, -126)],
  ['exp', sweep(-87.3, 88.7, 2 ** -9)],
  ['log', new Float32Array([...logUniform(new Rng(3), 50_000, 2 ** -126, 2 ** 127), ...sweep(0.5, 2, 2 ** -14)])],
  ['softplus', sweep(-80, 30, 2 ** -8)],
];

for (const be of kernelBackends()) {
  for (const spec of UNARY) {
    elementwise(`${be.label}: ${spec.name} on awkward lengths`, () => {
      be.setup();
      for (const n of LENGTHS) checkUnary(be.kernels, spec, spec.input(new Rng(n + 1), n), `${spec.name} n=${n}`);
    });
  }

  elementwise(`${be.label}: accuracy sweep of tanh, exp, log, softplus (<= 4 ULP)`, () => {
    be.setup();
    const results = SWEEPS.map(([name, x]) => {
      const spec = UNARY.find((s) => s.name === name)!;
      const out = new Float32Array(x.length);
      spec.run(be.kernels, out, x);
      const want = Array.from(x, spec.f);
      const { ulp, index } = maxUlp(out, want);
      console.log(`  ${name} max error on ${be.label}: ${ulp} ULP${index >= 0 ? ` (at x = ${x[index]})` : ''}`);
      return { name, x, out, want, limit: spec.ulp };
    });
    // Report all four before the first failure stops the test.
    for (const r of results) assertUlp(r.out, r.want, r.limit, `${r.name} sweep`, r.x);
  });

  elementwise(`${be.label}: tanh saturates to exactly +-1, NaN stays NaN`, () => {
    be.setup();
    const x = new Float32Array([10, -10, 30, -30, Infinity, -Infinity, NaN, 0]);
    const out = new Float32Array(x.length);
    be.kernels.tanh(out, x);
    assertSameBits(out, [1, -1, 1, -1, 1, -1, NaN, 0], 'tanh edges');
  });

  elementwise(`${be.label}: exp and log edge values`, () => {
    be.setup();
    const x = new Float32Array([0, -Infinity, Infinity, 89, 100, -1000, NaN]);
    const out = new Float32Array(x.length);
    be.kernels.exp(out, x);
    assertSameBits(out, [1, 0, Infinity, Infinity, Infinity, 0, NaN], 'exp edges (overflow is inf)');
    const y = new Float32Array([0, -0, 1, Infinity, -1, -Infinity, NaN]);
    const logOut = new Float32Array(y.length);
    be.kernels.log(logOut, y);
    assertSameBits(logOut, [-Infinity, -Infinity, 0, Infinity, NaN, NaN, NaN], 'log edges (log 0 is -inf)');
  });

  elementwise(`${be.label}: softplus edge values`, () => {
    be.setup();
    const x = new Float32Array([100, -100, 20, 21, 0, Infinity, -Infinity, NaN]);
    const out = new Float32Array(x.length);
    be.kernels.softplus(out, x);
    assertSameBits(out.subarray(2), [20, 21, Math.fround(Math.LN2), Infinity, 0, NaN], 'softplus edges');
    assert.is(out[0], 100, 'softplus(100) = 100 (no overflow)');
    // softplus(-100) = e^-100 = 3.7e-44: a float32 subnormal; flushing it to 0 is acceptable.
    assert.ok(out[1]! >= 0 && out[1]! <= 1e-43, `softplus(-100) = ${out[1]}, expected 3.7e-44 or 0`);
  });

  elementwise(`${be.label}: backward kernels accumulate on awkward lengths`, () => {
    be.setup();
    for (const n of LENGTHS) {
      const rng = new Rng(100 + n);
      const dy = unaligned(rng.array(n));
      const dx0 = rng.array(n);
      const label = `n=${n}`;

      // tanhBackward: dx += dy (1 - y^2), y in (-1, 1).
      const y = unaligned(rng.array(n));
      const dx = guarded(n, dx0);
      be.kernels.tanhBackward(dx.x, dy, y);
      assertClose(dx.x, Array.from(dx0, (d, i) => d + dy[i]! * (1 - y[i]! * y[i]!)), {
        atol: Array.from(dx0, (d, i) => 4 * U32 * (Math.abs(d) + Math.abs(dy[i]!) * (1 + y[i]! * y[i]!))),
        label: `tanhBackward ${label}`,
      });
      dx.checkGuards(`tanhBackward ${label}`);

      // reluBackward: dx += y > 0 ? dy : 0; some y exactly 0 (relu's output there) get nothing.
      const yr = unaligned(Array.from(rng.array(n), (v) => (v < -0.3 ? 0 : v)));
      const dr = guarded(n, dx0);
      be.kernels.reluBackward(dr.x, dy, yr);
      assertClose(dr.x, Array.from(dx0, (d, i) => Math.fround(yr[i]! > 0 ? d + dy[i]! : d)), { label: `reluBackward ${label}` });
      dr.checkGuards(`reluBackward ${label}`);

      // reluGrad: dx = y > 0 ? dy : 0, written over whatever dx held.
      const dg = guarded(n, dx0);
      be.kernels.reluGrad(dg.x, dy, yr);
      assert.equal(Array.from(dg.x), Array.from(dy, (d, i) => (yr[i]! > 0 ? d : 0)), `reluGrad ${label}`);
      dg.checkGuards(`reluGrad ${label}`);
    }
  });

  elementwise(`${be.label}: clamp bounds are inclusive in forward and backward`, () => {
    be.setup();
    const lo = -0.5, hi = 0.75;
    const x = new Float32Array([-1, Math.fround(-0.5000001), -0.5, -0.25, 0.75, Math.fround(0.7500001), 3]);
    const out = new Float32Array(x.length);
    be.kernels.clamp(out, x, lo, hi);
    assertSameBits(out, [-0.5, -0.5, -0.5, -0.25, 0.75, 0.75, 0.75], 'clamp');
    const dx = new Float32Array(x.length).fill(1);
    be.kernels.clampBackward(dx, new Float32Array(x.length).fill(2), x, lo, hi);
    // PyTorch's clamp passes the gradient at the bounds themselves.
    assertSameBits(dx, [1, 1, 3, 3, 3, 1, 1], 'clampBackward');
    // Bounds are float32 like the data: x = fround(-0.3) is on the bound lo = -0.3.
    const onBound = new Float32Array([-0.3, 0.7]), dOn = new Float32Array(2);
    be.kernels.clampBackward(dOn, new Float32Array([1, 1]), onBound, -0.3, 0.7);
    assertSameBits(dOn, [1, 1], 'clampBackward with bounds rounded to float32');
    be.kernels.clamp(dOn, onBound, -0.3, 0.7);
    assertSameBits(dOn, onBound, 'clamp with bounds rounded to float32');
    for (const n of LENGTHS) {
      const rng = new Rng(n + 5);
      // Values on a 1/8 grid, so many land exactly on the bounds.
      const xs = unaligned(Array.from(rng.array(n, -1, 1), (v) => Math.round(v * 8) / 8));
      const dy = unaligned(rng.array(n));
      const dx0 = rng.array(n);
      const d = guarded(n, dx0);
      be.kernels.clampBackward(d.x, dy, xs, lo, hi);
      assertClose(d.x, Array.from(dx0, (v, i) => Math.fround(lo <= xs[i]! && xs[i]! <= hi ? v + dy[i]! : v)),
        { label: `clampBackward n=${n}` });
      d.checkGuards(`clampBackward n=${n}`);
    }
  });

  elementwise(`${be.label}: minimum and its backward, ties split the gradient`, () => {
    be.setup();
    const da = new Float32Array([1, 1, 1]), db = new Float32Array([1, 1, 1]);
    const a = new Float32Array([1, 3, 2]), b = new Float32Array([2, 1, 2]);
    be.kernels.minimumBackward(da, db, new Float32Array([4, 4, 4]), a, b);
    assert.equal(Array.from(da), [5, 1, 3], 'da: a < b gets dy, a == b gets dy / 2');
    assert.equal(Array.from(db), [1, 5, 3], 'db: a > b gets dy, a == b gets dy / 2');
    for (const n of LENGTHS) {
      const rng = new Rng(n + 9);
      // Small integers, so about a third of the pairs tie.
      const ints = (): Float32Array => unaligned(Array.from(rng.array(n, 0, 3), Math.floor));
      const x = ints(), z = ints(), dy = unaligned(rng.array(n));
      const out = guarded(n);
      be.kernels.minimum(out.x, x, z);
      assertClose(out.x, Array.from(x, (v, i) => Math.min(v, z[i]!)), { label: `minimum n=${n}` });
      out.checkGuards(`minimum n=${n}`);
      const da0 = rng.array(n), db0 = rng.array(n);
      const gda = guarded(n, da0), gdb = guarded(n, db0);
      be.kernels.minimumBackward(gda.x, gdb.x, dy, x, z);
      const share = (i: number, mine: number, other: number): number =>
        (mine < other ? dy[i]! : mine === other ? dy[i]! / 2 : 0);
      assertClose(gda.x, Array.from(da0, (v, i) => Math.fround(v + share(i, x[i]!, z[i]!))), { label: `minimumBackward da n=${n}` });
      assertClose(gdb.x, Array.from(db0, (v, i) => Math.fround(v + share(i, z[i]!, x[i]!))), { label: `minimumBackward db n=${n}` });
      gda.checkGuards('da');
      gdb.checkGuards('db');
    }
  });

  elementwise(`${be.label}: add, mul, axpy, scale (and the allowed exact aliases)`, () => {
    be.setup();
    for (const n of LENGTHS) {
      const rng = new Rng(n + 17);
      const a = unaligned(rng.array(n, -10, 10)), b = unaligned(rng.array(n, -10, 10));
      const label = `n=${n}`;
      // One float32 add or multiply is correctly rounded: exactly the float64 result, rounded.
      const sum = Array.from(a, (v, i) => Math.fround(v + b[i]!));
      const prod = Array.from(a, (v, i) => Math.fround(v * b[i]!));
      const out = guarded(n);
      be.kernels.add(out.x, a, b);
      assertClose(out.x, sum, { label: `add ${label}` });
      be.kernels.mul(out.x, a, b);
      assertClose(out.x, prod, { label: `mul ${label}` });
      out.checkGuards(label);

      const a1 = a.slice(), b1 = b.slice();
      be.kernels.add(a1, a1, b);
      be.kernels.mul(b1, a, b1);
      assertClose(a1, sum, { label: `add out = a ${label}` });
      assertClose(b1, prod, { label: `mul out = b ${label}` });

      // axpy with alpha = -1.25 (exact in float32); a fused multiply-add may round once less.
      const y = guarded(n, b);
      be.kernels.axpy(y.x, -1.25, a);
      assertClose(y.x, Array.from(b, (v, i) => v - 1.25 * a[i]!), {
        atol: Array.from(b, (v, i) => 2 * U32 * (Math.abs(v) + Math.abs(1.25 * a[i]!))),
        label: `axpy ${label}`,
      });
      y.checkGuards(`axpy ${label}`);

      const s = guarded(n);
      be.kernels.scale(s.x, a, -1.25);
      const scaled = Array.from(a, (v) => Math.fround(-1.25 * v));
      assertClose(s.x, scaled, { label: `scale ${label}` });
      s.checkGuards(`scale ${label}`);
      const a2 = a.slice();
      be.kernels.scale(a2, a2, -1.25);
      assertClose(a2, scaled, { label: `scale out = x ${label}` });
    }
  });
}

elementwise.run();
