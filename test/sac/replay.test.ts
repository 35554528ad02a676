/**
 * Capture and replay of the SAC update (tape.capture, SAC.replay): replayed updates give
 * the tape's bits exactly (every parameter, target, Adam moment and logged value), on every
 * native SIMD path, on 1 and 2 threads, for batch shapes from 1 to 256; a new batch size or
 * other input buffers fall back to the tape and capture again; and no typed array is
 * allocated once the plans exist.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import * as ag from '../../src/autograd/index.js';
import { arenaAllocations } from '../../src/autograd/index.js';
import type { Kernels } from '../../src/kernels/index.js';
import { Rng } from '../../src/nn/index.js';
import { ReplayBuffer } from '../../src/sac/buffer.js';
import { SAC, type UpdateInfo } from '../../src/sac/sac.js';
import { kernelBackends } from '../helpers/backends.js';

const natives = kernelBackends().filter((b) => b.kernels.createPlan);

function agent(k: Kernels, obs: number, act: number, batch: number, hidden: number[], replay: boolean, alpha: number | 'auto' = 0.2) {
  const bounds = { low: new Array(act).fill(-2), high: new Array(act).fill(2) };
  const sac = new SAC(k, obs, bounds, { hidden, batchSize: batch, alpha, policyDelay: 1 }, 7);
  sac.replay = replay;
  const buf = new ReplayBuffer(obs, act, 500);
  const rng = new Rng(3);
  for (let i = 0; i < 400; i++) {
    const o = Array.from({ length: obs }, () => rng.normal()), o2 = Array.from({ length: obs }, () => rng.normal());
    buf.store(o, Array.from({ length: act }, () => rng.uniformIn(-2, 2)), rng.normal(), o2, i % 13 === 0);
  }
  return { sac, buf, rng: new Rng(9) };
}

function state(sac: SAC): Float32Array[] {
  return [sac.params.data, sac.targ.data, sac.qOptimizer.m, sac.qOptimizer.v, sac.piOptimizer.m, sac.piOptimizer.v].map((x) => x.slice());
}

function sameBits(a: Float32Array[], b: Float32Array[], what: string) {
  a.forEach((x, i) => {
    const u = new Uint32Array(x.buffer, x.byteOffset, x.length), v = new Uint32Array(b[i]!.buffer, b[i]!.byteOffset, b[i]!.length);
    for (let j = 0; j < u.length; j++) if (u[j] !== v[j]) assert.unreachable(`${what}: buffer ${i} differs at ${j}: ${x[j]} vs ${b[i]![j]}`);
  });
}

function sameInfo(a: UpdateInfo, b: UpdateInfo, what: string) {
  for (const key of Object.keys(a) as (keyof UpdateInfo)[])
    assert.ok(Object.is(a[key], b[key]), `${what}: ${key} ${a[key]} vs ${b[key]}`);
}

// Runs `updates` updates on two agents, one through the tape and one replaying, and checks
// every state buffer and logged value after each.
function compare(k: Kernels, label: string, obs: number, act: number, batches: number[], hidden: number[], updates: number) {
  for (const B of batches) {
    const tape = agent(k, obs, act, B, hidden, false), replay = agent(k, obs, act, B, hidden, true);
    for (let i = 0; i < updates; i++) {
      const a = tape.sac.update(tape.buf.sampleBatch(B, tape.rng)), b = replay.sac.update(replay.buf.sampleBatch(B, replay.rng));
      const what = `${label} dims ${obs}x${act} batch ${B} update ${i}`;
      sameInfo(a, b, what);
      sameBits(state(tape.sac), state(replay.sac), what);
    }
  }
}

for (const be of natives) {
  test(`${be.label}: replayed updates are the tape's bit for bit, batch 1, 3, 17`, () => {
    be.setup();
    compare(be.kernels, be.label, 3, 1, [1, 3, 17], [32, 32], 4);
    compare(be.kernels, be.label, 17, 6, [3, 17], [24, 40], 4);
  });
}

test('replayed updates are the tape\'s bit for bit at batch 100 and 256, hidden 256x256, on 1 and 2 threads', () => {
  for (const be of natives) {
    be.setup();
    compare(be.kernels, be.label, 3, 1, [100], [256, 256], 3);
    compare(be.kernels, be.label, 17, 6, [256], [256, 256], 2);
  }
});

test('the same update on 1 and on 2 threads through plans gives the same bits', () => {
  const be1 = natives.find((b) => b.threads === 1), be2 = natives.find((b) => b.threads === 2 && b.label.split('/')[1] === be1?.label.split('/')[1]);
  if (!be1 || !be2) return;
  const one = agent(be1.kernels, 17, 6, 100, [64, 64], true), two = agent(be2.kernels, 17, 6, 100, [64, 64], true);
  for (let i = 0; i < 5; i++) {
    be1.setup();
    const a = one.sac.update(one.buf.sampleBatch(100, one.rng));
    be2.setup();
    const b = two.sac.update(two.buf.sampleBatch(100, two.rng));
    sameInfo(a, b, `update ${i}`);
    sameBits(state(one.sac), state(two.sac), `update ${i}`);
  }
});

test('caller-given noise in other buffers falls back to the tape, with the same bits', () => {
  if (!natives[0]) return;
  natives[0].setup();
  const k = natives[0].kernels;
  const tape = agent(k, 3, 1, 8, [16, 16], false), replay = agent(k, 3, 1, 8, [16, 16], true);
  for (let i = 0; i < 4; i++) {
    const noise = { pi: new Rng(i).fillNormal(new Float32Array(8)), targ: new Rng(100 + i).fillNormal(new Float32Array(8)) };
    sameInfo(tape.sac.update(tape.buf.sampleBatch(8, tape.rng), noise), replay.sac.update(replay.buf.sampleBatch(8, replay.rng), noise), `update ${i}`);
    sameBits(state(tape.sac), state(replay.sac), `update ${i}`);
  }
});

test('a batch of another size falls back to the tape and captures again, with the same bits', () => {
  if (!natives[0]) return;
  natives[0].setup();
  const k = natives[0].kernels;
  const tape = agent(k, 3, 1, 8, [16, 16], false), replay = agent(k, 3, 1, 8, [16, 16], true);
  const sizes = [8, 8, 5, 5, 8, 8], noise = new Map<number, Float32Array>();
  sizes.forEach((B, i) => {
    // One noise buffer per batch size, refilled: the plan of that size reads it.
    if (!noise.has(B)) noise.set(B, new Float32Array(B));
    const eps = new Rng(i).fillNormal(noise.get(B)!);
    const steps = (s: SAC, buf: ReplayBuffer, rng: Rng) => {
      const b = buf.sampleBatch(B, rng);
      return [s.qStep(b, eps).lossQ, s.piStep(b, eps).lossPi];
    };
    const a = steps(tape.sac, tape.buf, tape.rng), b = steps(replay.sac, replay.buf, replay.rng);
    assert.equal(b, a, `step ${i}, batch ${B}`);
    sameBits(state(tape.sac), state(replay.sac), `step ${i}, batch ${B}`);
  });
});

test("alpha 'auto' runs through the tape (alpha is a constant of a plan)", () => {
  if (!natives[0]) return;
  natives[0].setup();
  const k = natives[0].kernels;
  const tape = agent(k, 3, 1, 8, [16, 16], false, 'auto'), replay = agent(k, 3, 1, 8, [16, 16], true, 'auto');
  for (let i = 0; i < 3; i++) {
    sameInfo(tape.sac.update(tape.buf.sampleBatch(8, tape.rng)), replay.sac.update(replay.buf.sampleBatch(8, replay.rng)), `update ${i}`);
    sameBits(state(tape.sac), state(replay.sac), `update ${i}`);
  }
});

test('a replayed update makes a handful of calls from JavaScript and allocates no typed array', () => {
  if (!natives[0]) return;
  natives[0].setup();
  let calls = 0;
  const counted = new Proxy(natives[0].kernels, {
    get(target, key) {
      const v = Reflect.get(target, key);
      return typeof v === 'function' ? (...args: unknown[]) => (calls++, v.apply(target, args)) : v;
    },
  });
  const { sac, buf, rng } = agent(counted, 3, 1, 32, [32, 32], true);
  for (let i = 0; i < 3; i++) sac.update(buf.sampleBatch(32, rng));
  const before = arenaAllocations();
  calls = 0;
  for (let i = 0; i < 20; i++) sac.update(buf.sampleBatch(32, rng));
  assert.is(arenaAllocations(), before);
  // Adam and the logged means of each step, and polyak; the plans run the rest.
  assert.ok(calls / 20 <= 6, `${calls / 20} kernel calls per update`);
});

test('a plan whose buffer was detached refuses to run', () => {
  if (!natives[0]) return;
  natives[0].setup();
  const { Tape, Tensor, mlpRelu, sum } = ag;
  const g = new Tape(natives[0].kernels);
  const w = new Tensor(new Float32Array(12).fill(0.5), [4, 3], true), x = new Tensor(new Float32Array(6).fill(1), [2, 3]);
  w.grad = new Float32Array(12);
  const { plan } = g.capture(() => {
    const y = sum(g, mlpRelu(g, x, [{ weight: w, bias: null }], true, false));
    g.backward(y);
    return y;
  });
  assert.ok(plan, 'captured');
  plan!.run();
  const ab = x.data.buffer as ArrayBuffer;
  structuredClone(ab, { transfer: [ab] });
  assert.is(plan!.valid, false);
  assert.throws(() => plan!.run(), /detached or resized/);
});

test.run();
