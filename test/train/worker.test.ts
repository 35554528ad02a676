/** trainInWorker: the event loop keeps ticking, results match in-process training, stop() checkpoints, resume continues. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Pendulum } from '../../src/envs/index.js';
import { getKernels } from '../../src/kernels/index.js';
import type { SacOptions } from '../../src/sac/options.js';
import type { EpochStats } from '../../src/train/epoch-logger.js';
import { Trainer } from '../../src/train/loop.js';
import { trainInWorker } from '../../src/train/worker.js';

const opts: Partial<SacOptions> = { hidden: [32, 32], batchSize: 32, stepsPerEpoch: 300, epochs: 3, startSteps: 100, updateAfter: 100, updateEvery: 25, numTestEpisodes: 1 };
const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
const noTime = (es: EpochStats[]) => es.map(({ time: _t, ...rest }) => rest);

function inProcess(options: Partial<SacOptions>, seed: number) {
  const tr = new Trainer({ k: getKernels(), makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', options, seed });
  tr.run();
  return tr;
}

test('the main event loop keeps ticking (a 10 ms interval never stalls 50 ms) while serving act(); the result is the in-process one, bit for bit', async () => {
  const run = await trainInWorker({ env: 'Pendulum-v1', options: opts, seed: 7, out: null });
  let worst = 0, last = performance.now(), acts = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
    // The main thread uses the native kernels at the same time as the worker.
    for (let i = 0; i < 20; i++) run.policy.act([Math.cos(i), Math.sin(i), 0.1 * i]);
    acts += 20;
  }, 10);
  const epochs: number[] = [];
  run.on('epoch', (s) => epochs.push(s.epoch));
  const summary = await run.done;
  clearInterval(tick);
  assert.ok(worst < 50, `the event loop stalled for ${worst.toFixed(1)} ms`);
  assert.ok(acts > 100, `only ${acts} main-thread act() calls ran`);
  assert.equal(epochs, [1, 2, 3]);
  assert.is(summary.steps, 900);
  assert.is(summary.stopped, false);
  const ref = inProcess(opts, 7);
  assert.equal(noTime(summary.epochs), noTime(ref.epochs));
  assert.ok(bytes(run.policy.params.data).equals(bytes(ref.agent.params.slice('pi.').data)), 'the live policy is not the final in-process actor');
});

test('stop() checkpoints and resolves; a worker resumed from the run directory ends where an uninterrupted run does', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'softac-worker-')), 'run');
  const long = { ...opts, epochs: 4 };
  const run = await trainInWorker({ env: 'Pendulum-v1', options: long, seed: 3, out });
  const firstEpoch = new Promise<void>((res) => run.once('epoch', () => res()));
  await firstEpoch;
  const stopped = await run.stop();
  assert.ok(stopped.stopped, 'stop() must end the run early');
  assert.ok(stopped.steps >= 300 && stopped.steps < 1200, `stopped at ${stopped.steps}`);
  assert.ok(existsSync(join(out, 'checkpoint.safetensors')) && existsSync(join(out, 'model.safetensors')));
  const resumed = await trainInWorker({ resume: out });
  assert.is(resumed.t, stopped.steps);
  const summary = await resumed.done;
  assert.is(summary.steps, 1200);
  const ref = inProcess(long, 3);
  assert.equal(noTime(summary.epochs), noTime(ref.epochs));
  assert.ok(bytes(resumed.policy.params.data).equals(bytes(ref.agent.params.slice('pi.').data)));
});

test('refreshPolicy() brings the worker\'s current weights to the live policy mid-epoch', async () => {
  // No out: the files go where `softac train` puts them, runs/<env>-<date>-<time>.
  const run = await trainInWorker({ env: 'Pendulum-v1', options: { ...opts, epochs: 20 }, seed: 1 });
  const before = bytes(run.policy.params.data.slice());
  await new Promise<void>((res) => { const on = ({ t }: { t: number }) => { if (t > 150) { run.off('progress', on); res(); } }; run.on('progress', on); });
  await run.refreshPolicy();
  assert.not.ok(bytes(run.policy.params.data).equals(before), 'the policy did not change after 150 steps of training');
  const summary = await run.stop();
  assert.ok(summary.stopped);
  assert.match(summary.runDir ?? '', /^runs[/\\]Pendulum-v1-\d{8}-\d{6}$/);
  try {
    assert.ok(existsSync(join(summary.runDir!, 'checkpoint.safetensors')), 'stop() wrote no checkpoint');
  } finally {
    rmSync(summary.runDir!, { recursive: true, force: true });
  }
});

test('a bad env, option or resume directory rejects with the worker\'s message', async () => {
  const message = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => e.message);
  assert.match(await message(trainInWorker({ env: 'CartPole-v1', out: null })), /unknown environment 'CartPole-v1'/);
  assert.match(await message(trainInWorker({ options: { gamma: 2 }, out: null })), /SAC option 'gamma' must be a number in \[0, 1\], got 2/);
  const missing = join(tmpdir(), `no-such-softac-run-${process.pid}`);
  assert.match(await message(trainInWorker({ resume: missing })), /resume .*no-such-softac-run.*: no such run directory/);
  assert.not.ok(existsSync(missing), 'a failed resume must not create the directory');
});

test.run();
