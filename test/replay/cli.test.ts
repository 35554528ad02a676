/**
 * Replays from the command line and from a run: `softac eval --render PAGE` (and its bad
 * paths and envs), `softac train --render-every N` (its validation, the epochs it writes
 * at, a run's bytes unchanged by it, and the setting kept across --resume), and
 * trainInWorker's renderEvery option.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { runCliSync } from '../helpers/spawn.js';

import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.js';
import { loadSafetensors } from '../../src/io/safetensors.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { SAC } from '../../src/sac/sac.js';
import type { EpochStats } from '../../src/train/epoch-logger.js';
import { startRun } from '../../src/train/run.js';
import { trainInWorker } from '../../src/train/worker.js';

const softac = (args: string[]) => runCliSync(args, { timeoutMs: 120_000 });
const dir = mkdtempSync(join(tmpdir(), 'softac-replay-'));
/** What a replay page carries: its JSON, and its caption. */
const pageOf = (file: string) => {
  const html = readFileSync(file, 'utf8');
  return { data: JSON.parse(/<script type="application\/json" id="replay-data">(.*?)<\/script>/s.exec(html)![1]!), caption: /<p class="meta">([^<]*)/.exec(html)![1]! };
};
const quick = { hidden: [16, 16], batchSize: 16, stepsPerEpoch: 100, startSteps: 50, updateAfter: 50, updateEvery: 25, numTestEpisodes: 1 };
const quickFlags = ['--steps-per-epoch', '100', '--start-steps', '50', '--update-after', '50', '--update-every', '25', '--batch-size', '16', '--hidden', '16,16', '--backend', 'js'];

const pendulumModel = join(dir, 'pendulum.safetensors');
new SAC(referenceKernels, 3, { low: [-2], high: [2] }, { hidden: [8, 8] }, 4).saveModel(pendulumModel);

test('eval --render writes the first episode as a page whose return is the printed one', () => {
  const page = join(dir, 'pendulum.html');
  const r = softac(['eval', '--model', pendulumModel, '--env', 'Pendulum-v1', '--episodes', '2', '--seed', '3', '--render', page, '--backend', 'js']);
  assert.is(r.status, 0, r.stderr);
  const { data, caption } = pageOf(page);
  assert.match(r.stdout, new RegExp(`^episode 1: return ${data.ret.toFixed(3)}, length 200$`, 'm'));
  assert.match(r.stdout, new RegExp(`replay of episode 1 \\(return ${data.ret.toFixed(3)}, 200 steps\\): ${page} \\(\\d+ KiB\\)`));
  assert.is(data.seed, 3);
  assert.is(data.scene.kind, 'pendulum');
  assert.match(caption, /softac eval --model .*pendulum\.safetensors\. A deterministic episode/);
});

test('eval --render refuses a path it cannot write, before running, naming the file (exit 1)', () => {
  const cases: [string, RegExp][] = [
    [join(dir, 'no-such-dir', 'r.html'), /--render .*no-such-dir\/r\.html: cannot write the replay there: the directory .*no-such-dir does not exist/],
    [dir, /--render .*softac-replay-\w+: cannot write the replay there: it is a directory/],
    [join(pendulumModel, 'r.html'), /--render .*pendulum\.safetensors\/r\.html: cannot write the replay there: .*not a directory/],
  ];
  for (const [path, re] of cases) {
    const r = softac(['eval', '--model', pendulumModel, '--render', path]);
    assert.is(r.status, 1, path);
    assert.match(r.stderr, re);
    assert.is(r.stdout, '', 'no episode ran');
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('eval --render refuses an env a replay cannot draw, naming it', () => {
  const envFile = join(dir, 'line-env.mjs');
  writeFileSync(envFile, `export default class Line {
  observationSpace = { shape: [3] }; actionSpace = { shape: [1], low: [-2], high: [2] };
  reset() { return [0, 0, 0]; } step() { return { observation: [0, 0, 0], reward: 0, terminated: true, truncated: false }; }
}\n`);
  const r = softac(['eval', '--model', pendulumModel, '--env', envFile, '--render', join(dir, 'line.html')]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /--render: cannot draw the env '.*line-env\.mjs': a replay draws the MuJoCo envs .* got Line/);
  assert.not.ok(existsSync(join(dir, 'line.html')));
});

test('train --render-every takes a positive integer, and not with --resume', () => {
  for (const bad of ['0', '-2', '1.5', 'two', '']) {
    const r = softac(['train', `--render-every=${bad}`]);
    assert.is(r.status, 2, bad);
    assert.match(r.stderr, new RegExp(`--render-every must be a positive integer \\(epochs\\), got '${bad}'`));
  }
  const r = softac(['train', '--resume', dir, '--render-every', '2']);
  assert.is(r.status, 2);
  assert.match(r.stderr, /only --epochs \(to extend it\) and --threads may be given with it, got --render-every/);
});

test('renderEvery N writes replay.html after epochs N, 2N, ...: the last test episode of that epoch', async () => {
  const out = join(dir, 'every-2');
  const seen: string[] = [];
  const onEpoch = (s: EpochStats) => {
    const file = join(out, 'replay.html');
    if (!existsSync(file)) return seen.push(`${s.epoch}: none`);
    const { data, caption } = pageOf(file);
    seen.push(`${s.epoch}: ${/epoch (\d+)/.exec(caption)![1]}`);
    // numTestEpisodes 1: the replay is the epoch's only test episode, to the bit.
    if (caption.includes(`epoch ${s.epoch}:`)) assert.is(data.ret, s.testEpRet.average, `epoch ${s.epoch}: the replay's return`);
  };
  const r = await startRun({ env: 'Pendulum-v1', options: { ...quick, epochs: 4 }, seed: 9, backend: 'js', out, renderEvery: 2 }, { onEpoch });
  await r.trainer.runAsync();
  assert.equal(seen, ['1: none', '2: 2', '3: 2', '4: 4']);
  assert.match(pageOf(join(out, 'replay.html')).caption, /epoch 4: the last of its 1 test episodes\. A deterministic episode .* from reset seed \d+/);
  assert.is(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).renderEvery, 2);
  assert.is(loadCheckpoint(join(out, 'checkpoint.safetensors')).state.renderEvery, 2);
});

test('a run that renders is byte for byte the run that does not (HalfCheetah: its own env for the replays)', () => {
  const flags = [...quickFlags, '--env', 'HalfCheetah-v4', '--epochs', '2', '--max-ep-len', '60', '--num-test-episodes', '2', '--seed', '4'];
  const a = join(dir, 'cheetah-render'), b = join(dir, 'cheetah-plain');
  const ra = softac(['train', ...flags, '--render-every', '1', '--out', a]), rb = softac(['train', ...flags, '--out', b]);
  assert.is(ra.status, 0, ra.stderr);
  assert.is(rb.status, 0, rb.stderr);
  assert.ok(readFileSync(join(a, 'model.safetensors')).equals(readFileSync(join(b, 'model.safetensors'))), 'model.safetensors');
  // Every column but Time (the wall clock).
  const columns = (d: string) => readFileSync(join(d, 'progress.txt'), 'utf8').split('\n').map((l) => l.split('\t').slice(0, -1).join('\t'));
  assert.equal(columns(a), columns(b), 'progress.txt');
  const ta = loadCheckpoint(join(a, 'checkpoint.safetensors')).tensors, tb = loadCheckpoint(join(b, 'checkpoint.safetensors')).tensors;
  for (const [name, t] of tb) assert.ok(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).equals(Buffer.from(ta.get(name)!.data.buffer, ta.get(name)!.data.byteOffset, ta.get(name)!.data.byteLength)), name);
  assert.not.ok(existsSync(join(b, 'replay.html')));
  const { data } = pageOf(join(a, 'replay.html'));
  assert.is(data.scene.kind, 'mujoco');
  assert.is(data.steps, 60);
  assert.ok(loadSafetensors(join(a, 'model.safetensors')).tensors.size > 0);
});

test('--resume keeps renderEvery from the checkpoint, and refuses a bad one', () => {
  const out = join(dir, 'resumed');
  assert.is(softac(['train', ...quickFlags, '--epochs', '1', '--num-test-episodes', '1', '--render-every', '1', '--out', out]).status, 0);
  const r = softac(['train', '--resume', out, '--epochs', '2']);
  assert.is(r.status, 0, r.stderr);
  assert.match(pageOf(join(out, 'replay.html')).caption, /epoch 2: the last of its 1 test episodes/);
  const path = join(out, 'checkpoint.safetensors'), ckpt = loadCheckpoint(path);
  assert.is(ckpt.state.renderEvery, 1);
  saveCheckpoint(path, ckpt.tensors, { ...ckpt.state, renderEvery: 0 });
  const bad = softac(['train', '--resume', out, '--epochs', '3']);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /--resume .*resumed: checkpoint: 'renderEvery' must be an integer >= 1, got 0/);
});

test("trainInWorker's renderEvery: checked on the calling thread, and written by the worker", async () => {
  const message = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => e.message);
  assert.match(await message(trainInWorker({ renderEvery: 0 })), /trainInWorker: option 'renderEvery' must be an integer >= 1, got 0/);
  assert.match(await message(trainInWorker({ renderEvery: '2' as unknown as number })), /option 'renderEvery' must be an integer >= 1, got string "2"/);
  assert.match(await message(trainInWorker({ renderEvery: 1, out: null })), /option 'renderEvery' writes replay.html into the run directory, so it cannot be given with out: null/);
  assert.match(await message(trainInWorker({ resume: dir, renderEvery: 1 })), /option 'renderEvery' cannot be given with 'resume'/);
  assert.match(await message(trainInWorker({ renderEvry: 1 } as never)), /unknown option 'renderEvry' \(did you mean renderEvery\?\)/);
  const out = join(dir, 'worker');
  mkdirSync(out);
  const run = await trainInWorker({ env: 'Pendulum-v1', options: { ...quick, epochs: 1 }, seed: 2, backend: 'js', out, renderEvery: 1 });
  const [s] = (await run.done).epochs;
  assert.is(pageOf(join(out, 'replay.html')).data.ret, s!.testEpRet.average);
});

test.run();
