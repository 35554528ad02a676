/** Delayed policy updates (policyDelay) and target updates every targetUpdateInterval Q steps. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Pendulum } from '../../src/envs/index.js';
import { referenceKernels, tryLoadNative } from '../../src/kernels/index.js';
import { Rng } from '../../src/nn/index.js';
import { ReplayBuffer } from '../../src/sac/buffer.js';
import { SAC } from '../../src/sac/sac.js';
import type { SacOptions } from '../../src/sac/options.js';
import { Trainer } from '../../src/train/loop.js';

const k = tryLoadNative() ?? referenceKernels;
const OBS = 3, B = 8;
const bounds = { low: [-2], high: [2] };
const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

function setup(options: Partial<SacOptions>) {
  const sac = new SAC(k, OBS, bounds, { hidden: [16, 16], batchSize: B, ...options }, 3);
  const buf = new ReplayBuffer(OBS, 1, 100);
  const rng = new Rng(11);
  for (let i = 0; i < 50; i++) buf.store([rng.normal(), rng.normal(), rng.normal()], [rng.uniformIn(-2, 2)], rng.normal(), [rng.normal(), rng.normal(), rng.normal()], false);
  return { sac, buf, rng };
}

test('policyDelay 2: pi changes only on every second Q step, then by two policy steps; Q changes every step', () => {
  const { sac, buf, rng } = setup({ policyDelay: 2, alpha: 'auto' });
  const pi = sac.params.slice('pi.').data, q = sac.params.slice('q').data;
  for (let n = 1; n <= 6; n++) {
    const piBefore = bytes(pi.slice()), qBefore = bytes(q.slice()), alphaBefore = sac.logAlpha.data[0];
    const info = sac.update(buf.sampleBatch(B, rng));
    const due = n % 2 === 0;
    assert.is(bytes(pi).equals(piBefore), !due, `Q step ${n}: pi ${due ? 'should' : 'should not'} change`);
    assert.is(sac.logAlpha.data[0] === alphaBefore, !due, `Q step ${n}: log alpha`);
    assert.not.ok(bytes(q).equals(qBefore), `Q step ${n}: Q must change`);
    assert.is(info.piSteps, due ? 2 : 0);
    assert.is(Number.isNaN(info.lossPi), !due);
    assert.is(sac.piOptimizer.t, 2 * Math.floor(n / 2));
    assert.is(sac.alphaOptimizer!.t, 2 * Math.floor(n / 2));
  }
});

test('policyDelay 1 and targetUpdateInterval 1 are exactly Spinning Up: Q step, policy step, polyak, noise drawn targ then pi', () => {
  const a = setup({}), b = setup({ policyDelay: 1, targetUpdateInterval: 1 });
  const noise = new Rng((3 + 0x5ac) >>> 0); // SAC's own noise stream for seed 3
  const epsT = new Float32Array(B), epsP = new Float32Array(B);
  for (let n = 0; n < 4; n++) {
    const batch = a.buf.sampleBatch(B, a.rng);
    noise.fillNormal(epsT);
    noise.fillNormal(epsP);
    a.sac.qStep(batch, epsT);
    a.sac.piStep(batch, epsP);
    a.sac.polyakUpdate();
    b.sac.update(b.buf.sampleBatch(B, b.rng));
  }
  assert.ok(bytes(a.sac.params.data).equals(bytes(b.sac.params.data)));
  assert.ok(bytes(a.sac.targ.data).equals(bytes(b.sac.targ.data)));
  assert.equal(b.sac.rng.state(), noise.state());
});

test('targetUpdateInterval 3: the targets move only on every third Q step', () => {
  const { sac, buf, rng } = setup({ targetUpdateInterval: 3 });
  for (let n = 1; n <= 7; n++) {
    const before = bytes(sac.targ.data.slice());
    const info = sac.update(buf.sampleBatch(B, rng));
    assert.is(info.targetUpdated, n % 3 === 0);
    assert.is(bytes(sac.targ.data).equals(before), n % 3 !== 0, `Q step ${n}`);
  }
  assert.is(sac.targetUpdates, 2);
});

test('over a short run, the counts of Q, policy and target updates match the formula', () => {
  for (const [d, T] of [[1, 1], [2, 1], [3, 2], [4, 5]] as const) {
    const tr = new Trainer({ k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', seed: 1,
      options: { hidden: [8, 8], batchSize: 8, stepsPerEpoch: 130, epochs: 1, startSteps: 20, updateAfter: 20, updateEvery: 10, numTestEpisodes: 0, policyDelay: d, targetUpdateInterval: T } });
    tr.run();
    // Update bursts at t = 20, 30, ..., 120: 11 bursts of 10.
    const U = 110;
    assert.is(tr.agent.qOptimizer.t, U);
    assert.is(tr.agent.piOptimizer.t, d * Math.floor(U / d), `policy steps, d = ${d}`);
    assert.is(tr.agent.targetUpdates, Math.floor(U / T), `target updates, interval ${T}`);
    assert.ok(Number.isFinite(tr.epochs[0]!.lossPi));
  }
});

test('bad delays are refused, naming the option', () => {
  assert.throws(() => new SAC(k, OBS, bounds, { policyDelay: 0 }), /SAC option 'policyDelay' must be an integer from 1 to 1099511627776, got 0/);
  assert.throws(() => new SAC(k, OBS, bounds, { targetUpdateInterval: 1.5 }), /SAC option 'targetUpdateInterval' must be an integer from 1 to 1099511627776, got 1.5/);
});

test.run();
