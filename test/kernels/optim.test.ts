import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import type { Kernels } from '../../src/kernels/index.js';
import { assertClose, assertSameBits, guarded, Rng, U32, unaligned } from '../helpers/assert.js';
import { kernelBackends } from '../helpers/backends.js';

const optim = suite('optim');

const LENGTHS = [0, 1, 3, 17, 255, 256, 257, 4099];
/** About one float32 ULP relative, with room for the float32 m and v of the kernel. */
const RTOL = 2 ** -22;

/**
 * One Adam step from a float32 state in float64, following the torch.optim.Adam docs
 * (single-tensor path), and float32 allowances for p, m, v. The backend's state is fed back
 * each step, so errors do not compound across steps.
 */
function adam64(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, t: number, lr: number,
  b1: number, b2: number, eps: number, wd: number) {
  const n = p.length;
  const want = { p: new Float64Array(n), m: new Float64Array(n), v: new Float64Array(n) };
  const atol = { p: new Float64Array(n), m: new Float64Array(n), v: new Float64Array(n) };
  const stepSize = lr / (1 - b1 ** t), bc2Sqrt = Math.sqrt(1 - b2 ** t);
  for (let i = 0; i < n; i++) {
    const gi = g[i]! + wd * p[i]!;
    const mi = b1 * m[i]! + (1 - b1) * gi;
    const vi = b2 * v[i]! + (1 - b2) * gi * gi;
    const den = Math.sqrt(vi) / bc2Sqrt + eps;
    const update = stepSize * mi / den;
    want.m[i] = mi;
    want.v[i] = vi;
    want.p[i] = p[i]! - update;
    // Relative to each term, so a float32 rounding of 1 - beta2 (1.3e-5 off) cannot hide.
    const errG = wd === 0 ? 0 : 2 * U32 * (Math.abs(g[i]!) + Math.abs(wd * p[i]!));
    atol.m[i] = 4 * U32 * (Math.abs(b1 * m[i]!) + Math.abs((1 - b1) * gi)) + (1 - b1) * errG;
    atol.v[i] = 4 * U32 * (b2 * v[i]! + (1 - b2) * gi * gi) + (1 - b2) * 2 * Math.abs(gi) * errG;
    // The update is off by m's error over den, plus den's relative error (half v's) times it.
    const denRel = (vi > 0 ? atol.v[i]! / (2 * vi) * (den - eps) / den : 0) + 4 * U32;
    atol.p[i] = stepSize * (atol.m[i]! + Math.abs(mi) * denRel) / den + 4 * U32 * Math.abs(update)
      + 2 * U32 * Math.abs(want.p[i]!);
  }
  return { want, atol };
}

function adamStep(k: Kernels, s: { p: Float32Array; m: Float32Array; v: Float32Array }, g: Float32Array, t: number,
  lr: number, b1: number, b2: number, eps: number, wd: number, label: string): void {
  const { want, atol } = adam64(s.p, g, s.m, s.v, t, lr, b1, b2, eps, wd);
  k.adam(s.p, g, s.m, s.v, t, lr, b1, b2, eps, wd);
  assertClose(s.m, want.m, { atol: atol.m, label: `${label} m` });
  assertClose(s.v, want.v, { atol: atol.v, label: `${label} v` });
  assertClose(s.p, want.p, { atol: atol.p, label: `${label} p` });
}

for (const be of kernelBackends()) {
  optim(`${be.label}: adam, three steps worked out by hand (lr 0.01, betas 0.9, 0.999, eps 1e-8)`, () => {
    be.setup();
    const p = new Float32Array([1, -2, 0.5]), m = new Float32Array(3), v = new Float32Array(3);
    const step = (t: number, g: number[]): void =>
      be.kernels.adam(p, new Float32Array(g), m, v, t, 0.01, 0.9, 0.999, 1e-8, 0);
    // Step 1, g = [0.5, 0.1, -1]: m = 0.1 g = [0.05, 0.01, -0.1]; v = 0.001 g^2;
    // step_size = 0.01 / (1 - 0.9) = 0.1; sqrt(v) / sqrt(1 - 0.999) = |g|, so
    // p -= 0.1 * 0.1 g / (|g| + 1e-8): each moves by lr * sign(g), a hair less.
    step(1, [0.5, 0.1, -1]);
    assertClose(p, [0.9900000002, -2.009999999, 0.5099999999], { rtol: RTOL, label: 'p after step 1' });
    // Step 2, g = [0.25, -0.1, -1]: m = 0.9 m + 0.1 g = [0.07, -0.001, -0.19];
    // v = 0.999 v + 0.001 g^2 = [3.1225e-4, 1.999e-5, 1.999e-3]; step_size = 0.01 / 0.19;
    // sqrt(1 - 0.999^2) = 0.0447101778; den = [0.3952253907, 0.1000000100, 1.0000000100];
    // update = [0.0093217962, -0.0005263157, -0.0099999999].
    step(2, [0.25, -0.1, -1]);
    assertClose(p, [0.9806782040477462, -2.009473683263158, 0.5199999997999999], { rtol: RTOL, label: 'p after step 2' });
    // Step 3, g = [-0.5, 0.2, 2]: m = [0.013, 0.0191, 0.029]; v = [5.6193775e-4, 5.997001e-5,
    // 5.997001e-3]; step_size = 0.01 / 0.271; den = [0.4330127360, 0.1414567407, 1.4145673173];
    // update = [0.0011078307, 0.0049824211, 0.0007564933].
    step(3, [-0.5, 0.2, 2]);
    assertClose(m, [0.013, 0.0191, 0.029], { rtol: 1e-6, label: 'm after step 3' });
    assertClose(v, [5.6193775e-4, 5.997001e-5, 5.997001e-3], { rtol: 1e-6, label: 'v after step 3' });
    assertClose(p, [0.9795703733601093, -2.0144561043504283, 0.5192435064977808], { rtol: RTOL, label: 'p after step 3' });
  });

  optim(`${be.label}: adam with weight decay 0.1, two steps by hand`, () => {
    be.setup();
    const p = new Float32Array([2, -1]), m = new Float32Array(2), v = new Float32Array(2);
    const g = new Float32Array([0, -0.3]);
    // Step 1: g' = g + 0.1 p = [0.2, -0.4]; as above p moves by ~lr sign(g'): [1.99, -0.99].
    // (p[0] has no gradient of its own: weight decay alone moves it.)
    be.kernels.adam(p, g, m, v, 1, 0.01, 0.9, 0.999, 1e-8, 0.1);
    assertClose(p, [1.9900000005, -0.99000000025], { rtol: RTOL, label: 'p after step 1' });
    // Step 2: g' = [0.1 * 1.99, -0.3 - 0.099] = [0.199, -0.399]; m = [0.0379, -0.0759];
    // v = [7.9561e-5, 3.19041e-4]; den = [0.1995003865, 0.3995000728];
    // update = 0.01 / 0.19 * m / den = [0.0099986615, -0.0099993395].
    be.kernels.adam(p, g, m, v, 2, 0.01, 0.9, 0.999, 1e-8, 0.1);
    assertClose(m, [0.0379, -0.0759], { rtol: 1e-6, label: 'm after step 2' });
    assertClose(p, [1.9800013389550066, -0.9800006607894255], { rtol: RTOL, label: 'p after step 2' });
  });

  optim(`${be.label}: adam against float64 on awkward lengths, steps 1, 2, 3 and 1000`, () => {
    be.setup();
    for (const n of LENGTHS) {
      for (const wd of [0, 0.01]) {
        const rng = new Rng(n + 1000 * wd);
        const s = { p: guarded(n, rng.array(n, -2, 2)), m: guarded(n), v: guarded(n) };
        s.m.x.fill(0);
        s.v.x.fill(0);
        const state = { p: s.p.x, m: s.m.x, v: s.v.x };
        for (const t of [1, 2, 3, 1000]) {
          const g = unaligned(rng.array(n, -3, 3));
          adamStep(be.kernels, state, g, t, 1e-3, 0.9, 0.999, 1e-8, wd, `n=${n} wd=${wd} t=${t}`);
        }
        for (const [name, x] of Object.entries(s)) x.checkGuards(`${name} n=${n}`);
      }
    }
  });

  optim(`${be.label}: adam with lr = 0 leaves p bit for bit, still updates m and v`, () => {
    be.setup();
    const rng = new Rng(77);
    const p = rng.array(257), p0 = p.slice(), m = new Float32Array(257), v = new Float32Array(257);
    const g = rng.array(257);
    be.kernels.adam(p, g, m, v, 1, 0, 0.9, 0.999, 1e-8, 0);
    assertSameBits(p, p0, 'p');
    assertClose(m, Array.from(g, (x) => 0.1 * x), { rtol: 4 * U32, label: 'm' });
  });

  optim(`${be.label}: polyak, worked by hand and at 0 and 1`, () => {
    be.setup();
    // 0.995 * [1, -2, 0.5, 4] + 0.005 * [3, 4, 0.5, -4] = [1.01, -1.97, 0.5, 3.96].
    const targ = new Float32Array([1, -2, 0.5, 4]), p = new Float32Array([3, 4, 0.5, -4]);
    be.kernels.polyak(targ, p, 0.995);
    assertClose(targ, [1.01, -1.97, 0.5, 3.96], { rtol: RTOL, label: 'polyak 0.995' });
    const t1 = new Rng(3).array(17), t1copy = t1.slice(), p1 = new Rng(4).array(17);
    be.kernels.polyak(t1, p1, 1);
    assertSameBits(t1, t1copy, 'polyak = 1 keeps the target');
    be.kernels.polyak(t1, p1, 0);
    assertSameBits(t1, p1, 'polyak = 0 copies the parameters');
  });

  optim(`${be.label}: polyak against float64 on awkward lengths`, () => {
    be.setup();
    for (const n of LENGTHS) {
      const rng = new Rng(n + 3);
      const t0 = rng.array(n, -5, 5), p = unaligned(rng.array(n, -5, 5));
      const targ = guarded(n, t0);
      be.kernels.polyak(targ.x, p, 0.995);
      // Spinning Up's mul_ then add_: two float32 products and a sum; the coefficients are
      // rounded to float32 too.
      assertClose(targ.x, Array.from(t0, (x, i) => 0.995 * x + 0.005 * p[i]!), {
        atol: Array.from(t0, (x, i) => 4 * U32 * (Math.abs(0.995 * x) + Math.abs(0.005 * p[i]!))),
        label: `polyak n=${n}`,
      });
      targ.checkGuards(`polyak n=${n}`);
    }
  });

  optim(`${be.label}: fill on awkward lengths and special values`, () => {
    be.setup();
    for (const n of LENGTHS) {
      for (const value of [0, -1.5, NaN, Infinity, -0, 1e40, 0.1]) {
        const x = guarded(n, new Rng(n).array(n));
        be.kernels.fill(x.x, value);
        assertSameBits(x.x, new Float32Array(n).fill(value), `fill(${value}) n=${n}`);
        x.checkGuards(`fill n=${n}`);
      }
    }
    // 1e40 does not fit a float32: it rounds to Infinity, as storing it would.
    const big = new Float32Array(3);
    be.kernels.fill(big, 1e40);
    assert.equal(Array.from(big), [Infinity, Infinity, Infinity]);
  });
}

optim.run();
