/** Adam over flat buffers: three steps against torch.optim.Adam's formula, state, errors. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Adam } from '../../src/nn/index.js';
import { assertClose } from '../helpers/assert.js';
import { kernelBackends } from '../helpers/backends.js';

// torch.optim.Adam (single-tensor) in float64: the oracle.
function adamSteps(p0: number[], grads: number[][], lr: number, b1: number, b2: number, eps: number, wd: number): number[] {
  const p = p0.slice(), m = p.map(() => 0), v = p.map(() => 0);
  grads.forEach((g, s) => {
    const t = s + 1;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]! + wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * gi;
      v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
      const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - b2 ** t) + eps;
      p[i] = p[i]! - (lr / (1 - b1 ** t)) * m[i]! / denom;
    }
  });
  return p;
}

const p0 = [0.5, -1.25, 2, 0, 1e-3];
const grads = [[0.1, -0.2, 0.3, 0, 5], [0.05, 0.4, -0.3, 1e-4, -5], [-0.2, 0.1, 0.3, 0, 5]];

for (const be of kernelBackends()) {
  for (const wd of [0, 0.01]) {
    test(`three Adam steps match torch.optim.Adam's formula, weight decay ${wd} (${be.label})`, () => {
      be.setup();
      const p = Float32Array.from(p0), g = new Float32Array(p0.length);
      const opt = new Adam(be.kernels, p, g, { lr: 1e-2, weightDecay: wd });
      for (const gs of grads) {
        g.set(gs);
        opt.step();
      }
      assert.is(opt.t, 3);
      assertClose(p, adamSteps(p0, grads, 1e-2, 0.9, 0.999, 1e-8, wd), { rtol: 2e-6, atol: 1e-7, label: 'params' });
    });
  }
}

test('the first Adam step moves each parameter by about lr against its gradient sign', () => {
  // With bias correction, step 1 is lr * g / (|g| + eps): the textbook sanity check.
  const be = kernelBackends()[0]!;
  const p = Float32Array.of(1, 1, 1), g = Float32Array.of(3, -0.001, 0);
  new Adam(be.kernels, p, g, { lr: 0.1 }).step();
  assertClose(p, [0.9, 1.1, 1], { atol: 1e-5 });
});

test('state() and setState() continue a run exactly', () => {
  const k = kernelBackends()[0]!.kernels;
  const mk = () => {
    const p = Float32Array.from(p0), g = new Float32Array(p0.length);
    return { p, g, opt: new Adam(k, p, g) };
  };
  const a = mk(), b = mk();
  for (const gs of grads.slice(0, 2)) { a.g.set(gs); a.opt.step(); }
  b.p.set(a.p);
  b.opt.setState(a.opt.state());
  for (const x of [a, b]) { x.g.set(grads[2]!); x.opt.step(); }
  assert.equal(Array.from(b.p), Array.from(a.p));
  assert.throws(() => b.opt.setState({ t: 1, m: new Float32Array(2), v: new Float32Array(5) }), /moments of length 5/);
});

test('bad Adam options name the option and the value', () => {
  const k = kernelBackends()[0]!.kernels;
  const p = new Float32Array(2);
  assert.throws(() => new Adam(k, p, new Float32Array(3)), /same length, got 2 and 3/);
  assert.throws(() => new Adam(k, p, new Float32Array(2), { lr: -1 }), /Adam: option 'lr' must be a finite number >= 0, got -1/);
  assert.throws(() => new Adam(k, p, new Float32Array(2), { betas: [0.9, 1] }), /Adam: option 'betas'\[1\] must be a number in \[0, 1\), got 1/);
  assert.throws(() => new Adam(k, p, new Float32Array(2), { eps: -1e-8 }), /Adam: option 'eps' must be a finite number >= 0, got -1e-8/);
});

test.run();
