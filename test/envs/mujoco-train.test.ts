/**
 * Making, loading and training the MuJoCo envs: makeEnv by name; a tiny HalfCheetah-v4 run
 * checkpointed mid-episode resumes bit for bit; `softac train --env HalfCheetah-v4` runs;
 * the README's user robot (the file test/fixtures/reacher-env.mjs, which must appear
 * verbatim in the README) trains and resumes through loadEnvFactory, as
 * `softac train --env ./reacher-env.mjs` loads it.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { runCliSync } from '../helpers/spawn.js';

import { type Env, makeBuiltinEnv, makeEnv, type MujocoEnv } from '../../src/envs/index.js';
import { loadEnvFactory } from '../../src/envs/load.js';
import { Ant, HalfCheetah, Hopper, Walker2d } from '../../src/envs/mujoco/index.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/io/checkpoint.js';
import { referenceKernels, tryLoadNative } from '../../src/kernels/index.js';
import type { SacOptions } from '../../src/sac/options.js';
import type { EpochStats } from '../../src/train/epoch-logger.js';
import { Trainer } from '../../src/train/loop.js';

const k = tryLoadNative() ?? referenceKernels;
const root = fileURLToPath(new URL('../../../', import.meta.url));
const reacher = join(root, 'test/fixtures/reacher-env.mjs');
// Episodes cut at 60 steps (max_ep_len) so a few hundred steps hold several.
const tiny: Partial<SacOptions> = { hidden: [16, 16], batchSize: 16, stepsPerEpoch: 150, epochs: 2, startSteps: 100, updateAfter: 50, updateEvery: 25, numTestEpisodes: 1, maxEpLen: 60, replaySize: 1000 };

const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
const noTime = (es: EpochStats[]) => es.map(({ time: _t, ...rest }) => rest);

/** An uninterrupted run, and one stopped at step `at`, written to a checkpoint and restored from it. */
function wholeAndResumed(makeEnv: () => Env, envName: string, at: number): [Trainer, Trainer] {
  const setup = { k, makeEnv, envName, options: tiny, seed: 4 };
  const whole = new Trainer(setup);
  whole.run();
  const first = new Trainer(setup);
  while (first.t < at) first.step();
  const { tensors, state } = first.saveState();
  const resumed = Trainer.restore({ k, makeEnv, envName }, decodeCheckpoint(encodeCheckpoint(tensors, state as unknown as Record<string, unknown>), 'test'));
  assert.is(resumed.inexact, null);
  resumed.run();
  return [whole, resumed];
}

function assertSameRun(a: Trainer, b: Trainer): void {
  assert.ok(bytes(a.agent.params.data).equals(bytes(b.agent.params.data)), 'online parameters differ');
  assert.ok(bytes(a.agent.targ.data).equals(bytes(b.agent.targ.data)), 'target parameters differ');
  assert.ok(bytes(a.buffer.obs).equals(bytes(b.buffer.obs)) && bytes(a.buffer.rew).equals(bytes(b.buffer.rew)), 'replay buffers differ');
  assert.equal(noTime(b.epochs), noTime(a.epochs));
}

test('makeEnv makes every built-in env; unknown names are listed against them', async () => {
  for (const [name, Env] of [['HalfCheetah-v4', HalfCheetah], ['Hopper-v4', Hopper], ['Walker2d-v4', Walker2d], ['Ant-v4', Ant]] as const) {
    const env = await makeEnv(name);
    assert.ok(env instanceof Env);
    (env as MujocoEnv).close();
  }
  assert.is((await makeEnv('Pendulum-v1')).observationSpace.shape[0], 3);
  await makeEnv('Humanoid-v4').then(() => assert.unreachable('made'), (e: Error) =>
    assert.match(e.message, /makeEnv: unknown environment 'Humanoid-v4' \(built in: Pendulum-v1, MountainCarContinuous-v0, HalfCheetah-v4, Hopper-v4, Walker2d-v4, Ant-v4\)/));
  assert.throws(() => makeBuiltinEnv('Hopper-v4'), /'Hopper-v4' is a MuJoCo environment, which loads asynchronously: make it with await makeEnv\('Hopper-v4'\)/);
});

test('HalfCheetah-v4 (hidden 16,16): stopped mid-episode at step 217, resumed from the checkpoint file, it ends bit-identical', async () => {
  const makeEnv = await loadEnvFactory('HalfCheetah-v4');
  const [whole, resumed] = wholeAndResumed(makeEnv, 'HalfCheetah-v4', 217);
  assertSameRun(whole, resumed);
  assert.is(whole.epochs.length, 2);
  assert.ok(Number.isFinite(whole.epochs[1]!.testEpRet.average));
});

test('softac train --env HalfCheetah-v4 trains and writes its run directory', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'softac-mujoco-')), 'run');
  const r = runCliSync(['train', '--env', 'HalfCheetah-v4', '--epochs', '1', '--steps-per-epoch', '100',
    '--start-steps', '50', '--update-after', '50', '--update-every', '25', '--batch-size', '16', '--hidden', '16,16', '--num-test-episodes', '1',
    '--max-ep-len', '50', '--out', out]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /TotalEnvInteracts \|\s+100 \|/);
  assert.ok(existsSync(join(out, 'checkpoint.safetensors')));
  assert.is(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).env, 'HalfCheetah-v4');
});

test("the README's user robot is the tested file, verbatim", () => {
  const example = readFileSync(reacher, 'utf8');
  const docs = ['README.md'].map((f) => join(root, f)).filter(existsSync).map((f) => readFileSync(f, 'utf8'));
  assert.ok(docs.some((d) => d.includes('```js\n' + example + '```')), 'test/fixtures/reacher-env.mjs must appear whole in a ```js block of the README');
});

test("the README's user robot loads through loadEnvFactory (as --env ./reacher-env.mjs), trains, and resumes bit for bit", async () => {
  const makeEnv = await loadEnvFactory(reacher);
  const env = makeEnv();
  assert.equal(env.observationSpace.shape, [8]);
  assert.equal(env.actionSpace, { shape: [2], low: [-1, -1], high: [1, 1] });
  const [whole, resumed] = wholeAndResumed(makeEnv, reacher, 130);
  assertSameRun(whole, resumed);
  // Reaching for the target costs its distance each step: returns are negative, finite.
  for (const e of whole.epochs) assert.ok(e.epRet.average < 0 && Number.isFinite(e.epRet.average), `epoch ${e.epoch}: ${e.epRet.average}`);
});

test('a user module whose MujocoEnv is malformed is refused with MuJoCo\'s message and the module named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-env-'));
  const bad = join(dir, 'bad-robot.mjs');
  const text = readFileSync(reacher, 'utf8').replace("from 'softac'", `from ${JSON.stringify(join(root, 'dist/src/index.js'))}`).replace('<option', '<optoin');
  writeFileSync(bad, text);
  await loadEnvFactory(bad).then(() => assert.unreachable('loaded'), (e: Error) =>
    assert.match(e.message, /--env '.*bad-robot\.mjs': making the env threw: MuJoCo could not load the model of 'Reacher': Loading error: XML Error: Schema violation: unrecognized element\nElement 'optoin', line 2/));
});

test('a module may default-export a promise of its env class (after its own await loadMujoco(), say); a failed one is named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-env-'));
  const later = join(dir, 'later.mjs'), failed = join(dir, 'failed.mjs');
  writeFileSync(later, `export default Promise.resolve(class Still {
  observationSpace = { shape: [1] };
  actionSpace = { shape: [1], low: [-1], high: [1] };
  reset() { return [0]; }
  step() { return { observation: [0], reward: 0, terminated: false, truncated: false }; }
});\n`);
  writeFileSync(failed, "export default Promise.reject(new Error('no robot today'));\n");
  assert.equal((await loadEnvFactory(later))().observationSpace.shape, [1]);
  await loadEnvFactory(failed).then(() => assert.unreachable('loaded'), (e: Error) =>
    assert.match(e.message, /--env: the default export of '.*failed\.mjs' is a promise that failed: no robot today/));
});

test.run();
