/**
 * Queued sweeps against a real redis-server (started here on a free localhost port): two
 * workers, one SIGKILLed mid-job, whose job the other resumes bit-identically; a Redis that
 * goes away and comes back mid-sweep; a job that fails for a real reason; passwords kept
 * out of every output and run directory.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { redisOrSkip, startRedis } from '../helpers/redis.js';
import { runCli, startCli } from '../helpers/spawn.js';

const tiny = ['--epochs', '4', '--steps-per-epoch', '300', '--start-steps', '100', '--update-after', '100', '--update-every', '20',
  '--batch-size', '16', '--hidden', '16,16', '--num-test-episodes', '1'];
const worker = (url: string, runs: string, name: string, more: string[] = []) =>
  ['worker', '--queue', url, '--runs', runs, '--name', name, '--threads', '1', '--lock-ms', '1500', '--exit-when-empty', ...more];

/** progress.txt without its Time column (wall time is the one thing allowed to differ). */
const progressOf = (dir: string) => readFileSync(join(dir, 'progress.txt'), 'utf8').trim().split('\n').map((l) => l.split('\t').slice(0, -1).join('\t'));

let reference = '';
/** The sweep's runs never interrupted: a local sweep of the same jobs. */
async function referenceRuns(): Promise<string> {
  if (reference) return reference;
  reference = join(mkdtempSync(join(tmpdir(), 'softac-sweep-ref-')), 'runs');
  const r = await runCli(['sweep', '--seeds', '0-2', ...tiny, '--runs', reference, '--workers', '2', '--threads', '1'], { timeoutMs: 120_000 });
  assert.is(r.status, 0, r.stdout + r.stderr);
  return reference;
}

function assertSameAsReference(runs: string, name: string, ref: string): void {
  assert.ok(readFileSync(join(runs, name, 'model.safetensors')).equals(readFileSync(join(ref, name, 'model.safetensors'))), `${name}: model.safetensors differs from the uninterrupted run`);
  assert.equal(progressOf(join(runs, name)), progressOf(join(ref, name)), `${name}: progress.txt differs`);
}

/** Every file under dir, recursively. */
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
  const p = join(dir, f);
  return statSync(p).isDirectory() ? files(p) : [p];
});

const waitFor = async (what: string, cond: () => boolean, ms: number) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('two workers; one is SIGKILLed mid-job and the other resumes its job, ending byte-identical; no password anywhere', async () => {
  if (!redisOrSkip('the queued sweep test')) return;
  const ref = await referenceRuns();
  const password = 'pw-Zq81x';
  const redis = await startRedis({ password });
  try {
    const url = redis.url(0), runs = join(mkdtempSync(join(tmpdir(), 'softac-sweep-q-')), 'runs');
    const add = await runCli(['sweep', '--seeds', '0-1', ...tiny, '--queue', url]);
    assert.is(add.status, 0, add.stderr);
    assert.match(add.stdout, /2 added, 0 already there/);
    const again = await runCli(['sweep', '--seeds', '0-1', ...tiny, '--queue', url]);
    assert.match(again.stdout, /0 added, 2 already there/);

    let killedJob = '';
    const a = startCli(worker(url, runs, 'wa'), {
      timeoutMs: 60_000,
      onStdout: (_, child) => {
        const m = /(\S+): epoch 1\/4/.exec(a.output());
        if (m && !killedJob) {
          killedJob = m[1]!;
          child.kill('SIGKILL');
        }
      },
    });
    await waitFor("worker wa's first job", () => a.output().includes('starting in'), 30_000);
    const b = startCli(worker(url, runs, 'wb'), { timeoutMs: 90_000 });
    const ra = await a.done;
    assert.is(ra.signal, 'SIGKILL', ra.stdout + ra.stderr);
    // wa's child process notices that its parent is gone and exits without writing.
    const childPid = Number(/process (\d+)\)/.exec(ra.stdout)![1]);
    await waitFor(`wa's job process ${childPid} to exit`, () => !alive(childPid), 5000);
    const rb = await b.done;
    assert.is(rb.status, 0, rb.stdout + rb.stderr);
    assert.match(rb.stdout, new RegExp(`${killedJob}: resuming at step \\d+ of 1200`));
    for (const name of ['Pendulum-v1-seed0', 'Pendulum-v1-seed1']) assertSameAsReference(runs, name, ref);

    const status = await runCli(['sweep', 'status', '--queue', url]);
    assert.is(status.status, 0, status.stderr);
    for (const name of ['Pendulum-v1-seed0', 'Pendulum-v1-seed1']) assert.match(status.stdout, new RegExp(`${name}\\s+completed\\s+4/4\\s+-?\\d+\\.\\d\\s+wb`));
    for (const out of [add.stdout, add.stderr, ra.stdout, ra.stderr, rb.stdout, rb.stderr, status.stdout, status.stderr]) {
      assert.not.ok(out.includes(password), `the password is in: ${out}`);
    }
    assert.match(status.stdout, /redis:\/\/:\*\*\*@127\.0\.0\.1/);
    for (const f of files(runs)) assert.not.ok(readFileSync(f).includes(password), `the password is in ${f}`);
  } finally {
    await redis.stop();
  }
});

test('Redis goes away mid-sweep and comes back with its data: no job is lost', async () => {
  if (!redisOrSkip('the queued sweep test')) return;
  const ref = await referenceRuns();
  const redis = await startRedis({ persist: true });
  try {
    const url = redis.url(2), runs = join(mkdtempSync(join(tmpdir(), 'softac-sweep-r-')), 'runs');
    assert.is((await runCli(['sweep', '--seeds', '0-2', ...tiny, '--queue', url])).status, 0);
    let cut = false;
    const w = startCli(worker(url, runs, 'w1'), { timeoutMs: 120_000, onStdout: () => void (cut ||= w.output().includes('epoch 1/4')) });
    await waitFor('the first epoch', () => cut, 30_000);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 2000));
    await redis.restart();
    const r = await w.done;
    assert.is(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Redis: .*\(retrying\)/, 'the worker did not see Redis go away');
    const status = await runCli(['sweep', 'status', '--queue', url]);
    for (const seed of [0, 1, 2]) {
      assert.match(status.stdout, new RegExp(`Pendulum-v1-seed${seed}\\s+completed\\s+4/4`), status.stdout);
      assertSameAsReference(runs, `Pendulum-v1-seed${seed}`, ref);
    }
  } finally {
    await redis.stop();
  }
});

test('a worker stopped by SIGTERM checkpoints its job and gives it back at once; the next worker resumes it byte-identically', async () => {
  if (!redisOrSkip('the queued sweep test')) return;
  const ref = await referenceRuns();
  const redis = await startRedis();
  try {
    const url = redis.url(4), runs = join(mkdtempSync(join(tmpdir(), 'softac-sweep-t-')), 'runs');
    assert.is((await runCli(['sweep', '--seeds', '0', ...tiny, '--queue', url])).status, 0);
    let sent = false;
    const a = startCli(worker(url, runs, 'wa', ['--lock-ms', '60000']), {
      timeoutMs: 60_000,
      onStdout: (_, child) => {
        if (!sent && a.output().includes('epoch 1/4')) {
          sent = true;
          child.kill('SIGTERM');
        }
      },
    });
    const ra = await a.done;
    assert.is(ra.status, 130, ra.stdout + ra.stderr);
    assert.match(ra.stdout, /Pendulum-v1-seed0: stopped at epoch \d with a checkpoint; back in the queue/);
    // Back in the queue at once, not after the (here one-minute) lock.
    const st = await runCli(['sweep', 'status', '--queue', url]);
    assert.match(st.stdout, /Pendulum-v1-seed0\s+waiting\s+\d\/4\s+-?\d+\.\d\s+wa/, st.stdout);
    const rb = await runCli(worker(url, runs, 'wb'), { timeoutMs: 60_000 });
    assert.is(rb.status, 0, rb.stdout + rb.stderr);
    assert.match(rb.stdout, /Pendulum-v1-seed0: resuming at step \d+ of 1200/);
    assertSameAsReference(runs, 'Pendulum-v1-seed0', ref);
  } finally {
    await redis.stop();
  }
});

test('a job that fails for a real reason (its env returns NaN) is failed once, with its error; the others finish', async () => {
  if (!redisOrSkip('the queued sweep test')) return;
  const redis = await startRedis();
  try {
    const url = redis.url(3), dir = mkdtempSync(join(tmpdir(), 'softac-sweep-f-')), runs = join(dir, 'runs');
    const env = join(dir, 'nan-env.mjs');
    writeFileSync(env, `export default class NanAt50 {
  observationSpace = { shape: [1] };
  actionSpace = { shape: [1], low: [-1], high: [1] };
  t = 0;
  reset() { this.t = 0; return [0]; }
  step() { this.t++; return { observation: [0], reward: this.t === 50 ? NaN : 0, terminated: false, truncated: this.t >= 100 }; }
}\n`);
    assert.is((await runCli(['sweep', '--env', `Pendulum-v1,${env}`, '--seeds', '0', ...tiny, '--queue', url])).status, 0);
    const r = await runCli(worker(url, runs, 'w1'), { timeoutMs: 90_000 });
    assert.is(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /nan-env-seed0: failed \(not retried\): .*reward.*NaN/);
    const status = await runCli(['sweep', 'status', '--queue', url]);
    assert.match(status.stdout, /nan-env-seed0\s+failed\s+.*reward/);
    assert.match(status.stdout, /Pendulum-v1-seed0\s+completed\s+4\/4/);
  } finally {
    await redis.stop();
  }
});

test.run();
