/**
 * The SAC update: the Bellman backup with termination against truncation, the Q step and
 * the policy step touching only their own parameters, polyak, and the alpha step.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Tensor } from '../../src/autograd/index.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { Rng } from '../../src/nn/index.js';
import { ReplayBuffer } from '../../src/sac/buffer.js';
import { SAC } from '../../src/sac/sac.js';
import { assertClose } from '../helpers/assert.js';
import { kernelBackends } from '../helpers/backends.js';

const OBS = 3, B = 8;
const bounds = { low: [-2, -1], high: [2, 1] };

function setup(k = referenceKernels, alpha: number | 'auto' = 0.2) {
  const sac = new SAC(k, OBS, bounds, { hidden: [16, 16], batchSize: B, alpha }, 3);
  const buf = new ReplayBuffer(OBS, 2, 100);
  const rng = new Rng(11);
  for (let i = 0; i < 50; i++) {
    const o = [rng.normal(), rng.normal(), rng.normal()], o2 = [rng.normal(), rng.normal(), rng.normal()];
    buf.store(o, [rng.uniformIn(-2, 2), rng.uniformIn(-1, 1)], rng.normal(), o2, i % 7 === 0);
  }
  return { sac, batch: buf.sampleBatch(B, rng) };
}

test('backup: r alone for a true termination; r + gamma (min Q_targ - alpha logp) otherwise', () => {
  const { sac, batch } = setup();
  const eps = new Rng(5).fillNormal(new Float32Array(B * 2));
  const backup = sac.lossQ(batch, eps).backup.backup.data.slice();
  // The same pieces by hand.
  const g = sac.tape;
  const o2 = new Tensor(batch.obs2, [B, OBS]);
  const { a: a2, logp } = g.noGrad(() => sac.ac.pi.forward(g, o2, new Tensor(eps, [B, 2])));
  const q1 = g.noGrad(() => sac.acTarg.q1.forward(g, o2, a2)).data, q2 = g.noGrad(() => sac.acTarg.q2.forward(g, o2, a2)).data;
  let terminal = 0;
  for (let i = 0; i < B; i++) {
    if (batch.done[i] === 1) {
      terminal++;
      assert.is(backup[i], batch.rew[i], `row ${i} is terminal: backup = r`);
    } else {
      const want = batch.rew[i]! + 0.99 * (Math.min(q1[i]!, q2[i]!) - 0.2 * logp!.data[i]!);
      assertClose(backup[i]!, want, { rtol: 1e-5, atol: 1e-6, label: `row ${i}` });
    }
  }
  assert.ok(terminal > 0 && terminal < B, 'the batch mixes terminal and non-terminal rows');
  g.reset();
});

for (const be of kernelBackends()) {
  test(`the Q step moves only Q; the policy step moves only pi and leaves Q bit-identical (${be.label})`, () => {
    be.setup();
    const { sac, batch } = setup(be.kernels);
    const eps = new Rng(6).fillNormal(new Float32Array(B * 2));
    const pi0 = sac.params.slice('pi.').data.slice(), q0 = sac.params.slice('q').data.slice();
    sac.qStep(batch, eps);
    const pi1 = sac.params.slice('pi.').data.slice(), q1 = sac.params.slice('q').data.slice();
    assert.equal(Array.from(pi1), Array.from(pi0), 'the Q step leaves pi alone');
    assert.not.equal(Array.from(q1), Array.from(q0), 'the Q step moves Q');
    sac.piStep(batch, eps);
    assert.equal(Array.from(sac.params.slice('q').data), Array.from(q1), 'the policy step leaves Q bit-identical');
    assert.not.equal(Array.from(sac.params.slice('pi.').data), Array.from(pi1), 'the policy step moves pi');
    assert.ok(sac.params.names.every((n) => sac.params.get(n).requiresGrad), 'Q is unfrozen again');
  });
}

test('polyak: targ = polyak targ + (1 - polyak) online, with the two products rounded apart', () => {
  const { sac } = setup();
  sac.params.data.fill(1);
  sac.targ.data.fill(3);
  sac.polyakUpdate();
  const want = Math.fround(Math.fround(0.995 * 3) + Math.fround(Math.fround(1 - 0.995) * 1));
  assert.ok(sac.targ.data.every((v) => Math.abs(v - want) <= 1e-6), `targ ${sac.targ.data[0]} vs ${want}`);
  assertClose(sac.targ.data[0]!, 0.995 * 3 + 0.005, { rtol: 1e-6 });
});

test("alpha 'auto' moves log alpha by about lr towards the target entropy -dim(A)", () => {
  const { sac, batch } = setup(referenceKernels, 'auto');
  assert.is(sac.alpha, 1);
  const eps = new Rng(7).fillNormal(new Float32Array(B * 2));
  const { logPi } = sac.piStep(batch, eps);
  // d/d log_alpha of -mean(log_alpha (logp + target)) is -(mean logp - 2); Adam's first step is lr * sign.
  const expected = 1e-3 * Math.sign(logPi + sac.targetEntropy);
  assertClose(sac.logAlpha.data[0]!, expected, { rtol: 1e-3 });
});

test('twenty full updates keep every loss and parameter finite', () => {
  const { sac, batch } = setup(referenceKernels, 'auto');
  for (let i = 0; i < 20; i++) {
    const info = sac.update(batch);
    for (const [key, v] of Object.entries(info)) if (typeof v === 'number') assert.ok(Number.isFinite(v), `${key} = ${v} at update ${i}`);
  }
  assert.ok(sac.params.data.every(Number.isFinite) && sac.targ.data.every(Number.isFinite));
  const a = sac.act([0.1, 0.2, 0.3], true), b = sac.act([0.1, 0.2, 0.3], true);
  assert.equal(Array.from(a), Array.from(b), 'the deterministic action repeats');
  assert.ok(a[0]! >= -2 && a[0]! <= 2 && a[1]! >= -1 && a[1]! <= 1);
  assert.throws(() => sac.act([1, 2]), /observation must have 3 values, got 2/);
});

test('a warmed-up update allocates no typed array: no buffer, no view (Spinning Up sizes, alpha auto, both backends)', () => {
  for (const be of kernelBackends()) {
    be.setup();
    const { sac, batch } = setup(be.kernels, 'auto');
    for (let i = 0; i < 3; i++) sac.update(batch);
    const saved = { f32: globalThis.Float32Array, f64: globalThis.Float64Array, sub32: Float32Array.prototype.subarray, slice32: Float32Array.prototype.slice };
    let made = 0;
    const count = <T extends object>(C: T): T => new Proxy(C, { construct(target, args) { made++; return Reflect.construct(target as never, args); } });
    globalThis.Float32Array = count(saved.f32);
    globalThis.Float64Array = count(saved.f64);
    Float32Array.prototype.subarray = function (this: Float32Array, ...args: [number?, number?]) { made++; return saved.sub32.apply(this, args); };
    Float32Array.prototype.slice = function (this: Float32Array, ...args: [number?, number?]) { made++; return saved.slice32.apply(this, args); };
    try {
      for (let i = 0; i < 5; i++) sac.update(batch);
    } finally {
      globalThis.Float32Array = saved.f32;
      globalThis.Float64Array = saved.f64;
      saved.f32.prototype.subarray = saved.sub32;
      saved.f32.prototype.slice = saved.slice32;
    }
    assert.is(made, 0, `${be.label}: ${made} typed arrays made in 5 updates`);
  }
});

test.run();
