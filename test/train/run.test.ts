/**
 * `softac train` and trainInWorker start, stop and resume a run the same way (train/run.ts):
 * a stop writes the checkpoint and model.safetensors as they are at the stop; a resume keeps
 * the checkpoint's backend and warns when the SIMD path differs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { runCliSync } from '../helpers/spawn.js';

import { Pendulum } from '../../src/envs/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.js';
import { loadSafetensors } from '../../src/io/safetensors.js';
import { referenceKernels } from '../../src/kernels/index.js';
import type { SacOptions } from '../../src/sac/options.js';
import { Trainer } from '../../src/train/loop.js';
import { trainInWorker } from '../../src/train/worker.js';

const opts: Partial<SacOptions> = { hidden: [16, 16], batchSize: 16, stepsPerEpoch: 200, epochs: 40, startSteps: 50, updateAfter: 50, updateEvery: 25, numTestEpisodes: 1 };
const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

/** The model file's tensors must be the checkpoint's parameters and targets, bit for bit. */
function assertModelIsCheckpoint(dir: string): void {
  const model = loadSafetensors(join(dir, 'model.safetensors')).tensors, ckpt = loadCheckpoint(join(dir, 'checkpoint.safetensors')).tensors;
  assert.ok(model.size > 0);
  for (const [name, t] of model) assert.ok(bytes(t.data).equals(bytes(ckpt.get(name)!.data)), `model.safetensors '${name}' is not the checkpoint's`);
}

test('worker: stop() writes the checkpoint and model.safetensors of the step it stopped at, as softac train does on Ctrl-C', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'softac-run-')), 'run');
  // A long first epoch: the stop lands inside it, before any epoch has written a model.
  const run = await trainInWorker({ env: 'Pendulum-v1', options: { ...opts, stepsPerEpoch: 5000, epochs: 2 }, seed: 2, out, backend: 'js' });
  await new Promise<void>((res) => { const on = ({ t }: { t: number }) => { if (t > 300) { run.off('progress', on); res(); } }; run.on('progress', on); });
  const s = await run.stop();
  assert.ok(s.stopped && s.steps < 5000, `stopped at ${s.steps}`);
  assertModelIsCheckpoint(out);
});

test('worker: a resumed run keeps the checkpoint\'s backend, and ends where an uninterrupted run on it does', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'softac-run-')), 'run');
  const short = { ...opts, epochs: 3 };
  // Trained on the TypeScript reference: resumed on the native addon, the bits would differ.
  const run = await trainInWorker({ env: 'Pendulum-v1', options: short, seed: 5, out, backend: 'js' });
  await new Promise<void>((res) => run.once('epoch', () => res()));
  const stopped = await run.stop();
  assert.ok(stopped.stopped);
  const resumed = await trainInWorker({ resume: out });
  assert.equal(resumed.warnings, []);
  await resumed.done;
  const ref = new Trainer({ k: referenceKernels, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', options: short, seed: 5 });
  ref.run();
  assert.ok(bytes(resumed.policy.params.data).equals(bytes(ref.agent.params.slice('pi.').data)), 'the resumed run left the reference backend');
  assertModelIsCheckpoint(out);
});

test('CLI and worker: a checkpoint made on another SIMD path resumes with the same warning in both', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'softac-run-')), 'run');
  const r = runCliSync(['train', '--epochs', '1', '--steps-per-epoch', '100', '--start-steps', '50', '--update-after', '50',
    '--update-every', '25', '--batch-size', '16', '--hidden', '16,16', '--num-test-episodes', '1', '--backend', 'native', '--out', out]);
  if (r.status !== 0 && /native/.test(r.stderr) && process.env.SOFTAC_BACKEND !== 'native') return; // no addon here: nothing to compare
  assert.is(r.status, 0, r.stderr);
  const path = join(out, 'checkpoint.safetensors');
  const olderPath = () => {
    const ckpt = loadCheckpoint(path);
    saveCheckpoint(path, ckpt.tensors, { ...ckpt.state, kernels: { backend: 'native', path: 'an-older-path' } });
  };
  olderPath();
  const want = /the run used SIMD path an-older-path, this process uses \w+; the resumed run is not bit-identical/;
  const resumed = await trainInWorker({ resume: out, epochs: 2 });
  assert.is(resumed.warnings.length, 1);
  assert.match(resumed.warnings[0]!, want);
  await resumed.done;
  olderPath();
  const c = runCliSync(['train', '--resume', out, '--epochs', '3']);
  assert.is(c.status, 0, c.stderr);
  assert.match(c.stderr, new RegExp(`softac: warning: ${want.source}`));
});

test.run();
