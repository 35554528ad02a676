/** Checkpoints: a round trip through the file format, and a resumed run bit-identical to an uninterrupted one. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import type { Env } from '../../src/envs/index.js';
import { MountainCarContinuous, Pendulum } from '../../src/envs/index.js';
import { decodeCheckpoint, encodeCheckpoint, parseExact, stringifyExact } from '../../src/io/checkpoint.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { referenceKernels, tryLoadNative } from '../../src/kernels/index.js';
import type { SacOptions } from '../../src/sac/options.js';
import type { EpochStats } from '../../src/train/epoch-logger.js';
import { Trainer } from '../../src/train/loop.js';
import { NonFiniteError } from '../../src/train/nonfinite.js';

const k = tryLoadNative() ?? referenceKernels;
const tiny: Partial<SacOptions> = { hidden: [16, 16], batchSize: 16, stepsPerEpoch: 150, epochs: 3, startSteps: 120, updateAfter: 60, updateEvery: 20, numTestEpisodes: 1, replaySize: 1000 };

const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
const noTime = (es: EpochStats[]) => es.map(({ time: _t, ...rest }) => rest);

function roundTrip(tr: Trainer, setup: { makeEnv: () => Env; envName: string }, epochs?: number): Trainer {
  const { tensors, state } = tr.saveState();
  const file = encodeCheckpoint(tensors, state as unknown as Record<string, unknown>);
  // Only what restore takes: the options and the seed are the checkpoint's.
  return Trainer.restore({ k, makeEnv: setup.makeEnv, envName: setup.envName, epochs }, decodeCheckpoint(file, 'test'));
}

function assertSameRun(a: Trainer, b: Trainer): void {
  assert.ok(bytes(a.agent.params.data).equals(bytes(b.agent.params.data)), 'online parameters differ');
  assert.ok(bytes(a.agent.targ.data).equals(bytes(b.agent.targ.data)), 'target parameters differ');
  assert.ok(bytes(a.agent.qOptimizer.m).equals(bytes(b.agent.qOptimizer.m)), 'Q Adam moments differ');
  assert.ok(bytes(a.agent.piOptimizer.v).equals(bytes(b.agent.piOptimizer.v)), 'pi Adam moments differ');
  assert.ok(bytes(a.agent.logAlpha.data).equals(bytes(b.agent.logAlpha.data)), 'log alpha differs');
  assert.ok(bytes(a.buffer.obs).equals(bytes(b.buffer.obs)) && bytes(a.buffer.rew).equals(bytes(b.buffer.rew)), 'replay buffers differ');
  assert.equal(noTime(b.epochs), noTime(a.epochs));
  assert.equal(b.agent.rng.state(), a.agent.rng.state());
}

for (const [name, make, alpha] of [['Pendulum-v1', () => new Pendulum(), 0.2], ['Pendulum-v1', () => new Pendulum(), 'auto'],
  ['MountainCarContinuous-v0', () => new MountainCarContinuous(), 'auto']] as const) {
  test(`${name}, alpha ${alpha}: stopped mid-episode and mid-epoch, resumed from the file, it ends bit-identical`, () => {
    const setup = { k, makeEnv: make, envName: name, options: { ...tiny, alpha }, seed: 3 };
    const whole = new Trainer(setup);
    whole.run();
    const first = new Trainer(setup);
    // Step 217: inside an update burst's epoch 2, 17 steps into an episode, after the random phase.
    while (first.t < 217) first.step();
    const resumed = roundTrip(first, setup);
    assert.is(resumed.t, 217);
    assert.is(resumed.inexact, null);
    resumed.run();
    assertSameRun(whole, resumed);
  });
}

test('exploreHold 10: stopped mid-hold in the random phase and in the policy phase, resumed from the file, it ends bit-identical', () => {
  const name = 'MountainCarContinuous-v0', makeEnv = () => new MountainCarContinuous();
  const setup = { k, makeEnv, envName: name, options: { ...tiny, exploreHold: 10 }, seed: 3 };
  const whole = new Trainer(setup);
  whole.run();
  // Step 57: 7 steps into a held random action; step 217: 7 steps into a held eps.
  for (const at of [57, 217]) {
    const first = new Trainer(setup);
    while (first.t < at) first.step();
    const resumed = roundTrip(first, setup);
    assert.is(resumed.t, at);
    assert.is(resumed.inexact, null);
    resumed.run();
    assertSameRun(whole, resumed);
  }
  // Without the held noise the resume could not be exact, so such a checkpoint is refused.
  const tr = new Trainer(setup);
  while (tr.t < 57) tr.step();
  const { tensors, state } = tr.saveState();
  const { heldNoise: _h, ...rest } = state;
  assert.throws(() => Trainer.restore({ k, makeEnv, envName: name }, decodeCheckpoint(encodeCheckpoint(tensors, rest as unknown as Record<string, unknown>), 'ckpt')),
    /checkpoint: 'heldNoise' must be 1 finite numbers, got undefined/);
});

test('a checkpoint taken at step 0 or at an epoch boundary resumes exactly too; --epochs extends the run', () => {
  const setup = { k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', options: tiny, seed: 5 };
  const whole = new Trainer(setup);
  whole.run();
  const zero = roundTrip(new Trainer(setup), setup);
  zero.run();
  assertSameRun(whole, zero);
  const short = new Trainer({ ...setup, options: { ...tiny, epochs: 1 } });
  short.run();
  const extended = roundTrip(short, setup, 3);
  assert.is(extended.totalSteps, 450);
  extended.run();
  assertSameRun(whole, extended);
});

/** An env without getState: resume works but says it is not exact. */
class Plain implements Env {
  observationSpace = { shape: [1] as [number] };
  actionSpace = { shape: [1] as [number], low: [-1], high: [1] };
  x = 0;
  reset() { this.x = 0; return [0]; }
  step(a: Float32Array) { this.x += a[0]!; return { observation: [this.x], reward: -Math.abs(this.x), terminated: false, truncated: false }; }
}

test('an env without getState/setState resumes by restarting the open episode, and says so', () => {
  const setup = { k, makeEnv: () => new Plain(), envName: 'plain', options: { ...tiny, maxEpLen: 40 }, seed: 1 };
  const tr = new Trainer(setup);
  while (tr.t < 55) tr.step();
  const resumed = roundTrip(tr, setup);
  assert.match(resumed.inexact ?? '', /env 'plain' has no getState\/setState, so the open episode \(15 steps\) starts over/);
  resumed.run();
  assert.is(resumed.epochs.length, 3);
});

test('exact JSON keeps -0, NaN and the infinities', () => {
  const v = parseExact(stringifyExact({ a: [-0, NaN, Infinity, -Infinity, 0.1 + 0.2, 5e-324] })) as { a: number[] };
  assert.ok(Object.is(v.a[0], -0) && Number.isNaN(v.a[1]) && v.a[2] === Infinity && v.a[3] === -Infinity && v.a[4] === 0.1 + 0.2 && v.a[5] === 5e-324);
});

test('corrupt, truncated, foreign or mismatched checkpoints give clear errors', () => {
  const setup = { k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', options: tiny, seed: 2 };
  const tr = new Trainer(setup);
  while (tr.t < 70) tr.step();
  const { tensors, state } = tr.saveState();
  const good = encodeCheckpoint(tensors, state as unknown as Record<string, unknown>);
  const restore = (file: Uint8Array, envName = 'Pendulum-v1', makeEnv: () => Env = () => new Pendulum()) =>
    Trainer.restore({ k, makeEnv, envName }, decodeCheckpoint(file, 'ckpt'));
  assert.throws(() => restore(good.subarray(0, good.length - 10)), /safetensors ckpt: .*bytes/);
  assert.throws(() => restore(good.subarray(0, 5)), /safetensors ckpt: file is 5 bytes/);
  assert.throws(() => restore(encodeSafetensors(tensors)), /checkpoint ckpt: no 'softac.checkpoint' entry in the metadata; this is a safetensors file but not a softac checkpoint/);
  const withState = (patch: Record<string, unknown>, ts = tensors) => encodeCheckpoint(ts, { ...(state as unknown as Record<string, unknown>), ...patch });
  assert.throws(() => decodeCheckpoint(encodeSafetensors(tensors, { 'softac.checkpoint': '{"format":"softac-checkpoint","version":99}' }), 'ckpt'),
    /checkpoint ckpt: version 99 is not supported/);
  assert.throws(() => restore(good, 'MountainCarContinuous-v0', () => new MountainCarContinuous()), /checkpoint: it trained env 'Pendulum-v1', not 'MountainCarContinuous-v0'/);
  assert.throws(() => restore(withState({}, tensors.filter(([n]) => n !== 'adam.q.v'))), /checkpoint: tensor 'adam.q.v' is missing/);
  assert.throws(() => restore(withState({}, tensors.filter(([n]) => n !== 'q2.q.2.bias'))), /state dict is missing 'q2.q.2.bias'/);
  assert.throws(() => restore(withState({ buffer: { ptr: 3, size: 70 } })), /replay buffer position ptr = 3, size = 70/);
  assert.throws(() => restore(withState({ obs: [1, 2] })), /'obs' must be 3 finite numbers/);
  assert.throws(() => restore(withState({ t: -1 })), /'t' must be an integer >= 0, got -1/);
  assert.throws(() => restore(withState({ env: { state: [0], steps: 1, rng: [1, 2, 3, 4] } })), /Pendulum.setState: expected/);
  assert.throws(() => Trainer.restore({ k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', epochs: 1 }, decodeCheckpoint(withState({ t: 300 }), 'ckpt')),
    /--epochs 1 is fewer than the 2 epochs the checkpoint has already run/);
  assert.throws(() => restore(withState({ rng: { explore: [1, 2, 3, 4] } })), /checkpoint: 'rng.sampler' must be an array of 4 numbers, got undefined/);
  assert.throws(() => restore(withState({ history: [{ epoch: 1 }] })), /checkpoint: 'history\[0\].totalEnvInteracts' must be an integer >= 0, got undefined/);
  assert.throws(() => restore(withState({ options: { ...(state.options as object), gamma: 7 } })), /checkpoint: the saved options are invalid: SAC option 'gamma' must be a number in \[0, 1\], got 7/);
  assert.throws(() => restore(withState({ elapsed: 'long' })), /checkpoint: 'elapsed' must be a finite number >= 0, got string "long"/);
});

test('a non-finite loss or parameter stops training, naming the step, the tensor and the index', () => {
  const tr = new Trainer({ k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', options: tiny, seed: 2 });
  while (tr.t < 61) tr.step();
  tr.agent.params.get('q1.q.2.weight').data[7] = NaN;
  assert.throws(() => { while (tr.t < 200) tr.step(); }, (e: Error) => e instanceof NonFiniteError && /training step 81, update 21: loss_q is NaN/.test(e.message));
  const tr2 = new Trainer({ k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', options: tiny, seed: 2 });
  while (tr2.t < 61) tr2.step();
  tr2.agent.targ.get('targ.pi.net.0.weight').data[0] = 1; // harmless
  tr2.agent.params.get('pi.log_std_layer.bias').data[0] = Infinity;
  assert.throws(() => { while (tr2.t < 200) tr2.step(); }, (e: Error) => e instanceof NonFiniteError && /training step 81, update 21: (loss_pi is|gradient of pi\.|parameter pi\.)/.test(e.message));
});

test.run();
