/**
 * softac sweep on one machine: the grid listed (--dry-run), bad plans refused before
 * anything runs, a sweep stopped by Ctrl-C and run again ending byte-identical to plain
 * `softac train` runs, status, and report (on a sweep's runs and on bench learn's).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { readProgress } from '../../src/train/sweep/job.js';
import { runCli, runCliSync, startCli } from '../helpers/spawn.js';

const tiny = ['--epochs', '4', '--steps-per-epoch', '300', '--start-steps', '100', '--update-after', '100', '--update-every', '20',
  '--batch-size', '16', '--hidden', '16,16', '--num-test-episodes', '1'];
const progressOf = (dir: string) => readFileSync(join(dir, 'progress.txt'), 'utf8').trim().split('\n').map((l) => l.split('\t').slice(0, -1).join('\t'));

test('--dry-run lists the grid: env x settings x seeds, each with its run directory', () => {
  const runs = join(mkdtempSync(join(tmpdir(), 'softac-sweep-dry-')), 'runs');
  const r = runCliSync(['sweep', '--env', 'Pendulum-v1,MountainCarContinuous-v0', '--seeds', '0-1', '--set', 'lr=1e-3,3e-4', '--set', 'hidden=32x32,64x64',
    '--epochs', '5', '--runs', runs, '--dry-run']);
  assert.is(r.status, 0, r.stderr);
  const names = r.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/)[0]);
  assert.is(names.length, 16);
  assert.equal(names.slice(0, 3), ['Pendulum-v1-lr=0.001-hidden=32x32-seed0', 'Pendulum-v1-lr=0.001-hidden=32x32-seed1', 'Pendulum-v1-lr=0.001-hidden=64x64-seed0']);
  assert.is(names[15], 'MountainCarContinuous-v0-lr=0.0003-hidden=64x64-seed1');
  assert.match(r.stdout, /softac sweep: 16 jobs under /);
  assert.match(r.stdout, /5 epochs of 4000 steps \[new\]/);
  assert.not.ok(existsSync(runs), 'a dry run wrote the runs root');
});

test('a bad plan is refused before anything runs, naming what is wrong', () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-sweep-bad-')), runs = join(dir, 'runs');
  const plan = (p: unknown) => {
    const f = join(dir, `plan-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, typeof p === 'string' ? p : JSON.stringify(p));
    return f;
  };
  writeFileSync(join(dir, 'a.mjs'), '');
  const cases: [string[], RegExp][] = [
    [['--set', 'lrr=1e-3,3e-4'], /--set: unknown option 'lrr' \(did you mean lr\?\)/],
    [['--set', 'batch-sise=32'], /unknown option 'batchSise' \(did you mean batchSize\?\)/],
    [['--set', 'lr=fast'], /--set lr=fast: --lr must be a number, got 'fast'/],
    [['--set', 'gamma=1.5'], /sweep: set\.gamma: SAC option 'gamma' must be a number in \[0, 1\], got 1\.5/],
    [['--set', 'lr=1e-3,0.001'], /set\.lr lists the value 0\.001 twice/],
    [['--set', 'seed=1,2'], /'seed' is not a setting; give it with --seeds/],
    [['--set', 'lr'], /--set must be KEY=V1,V2/],
    [['--env', ','], /the grid is empty: no env given/],
    [['--seeds', ','], /the grid is empty: no seed given/],
    [['--seeds', '4-2'], /seeds must be a list such as 0-4 or 0,2,7.*got string "4-2"/],
    [['--env', 'Hoper-v4'], /unknown env 'Hoper-v4': did you mean Hopper-v4\?/],
    [['--env', `${join(dir, 'a.mjs')},${join(dir, 'sub', 'a.mjs')}`], /two jobs would share the run directory 'a-seed0'/],
    [['--workers', '0'], /--workers must be an integer from 1 to 256, got '0'/],
    [[plan({ env: ['Pendulum-v1'], seeds: '0', set: { lr: [] } })], /the grid is empty: set\.lr has no values/],
    [[plan({ env: ['Pendulum-v1'], seeds: '0', sets: {} })], /unknown option 'sets' \(did you mean set\?\)/],
    [[plan({ env: ['Pendulum-v1'], seeds: '0', options: { gama: 0.9 } })], /options: unknown option 'gama' \(did you mean gamma\?\)/],
    [[plan({ env: ['Pendulum-v1'], seeds: '0', set: { lr: [0.1] }, options: { lr: 0.2 } })], /'lr' is both a fixed option and a setting/],
    [[plan('{"env": [')], /is not valid JSON/],
    [[plan({ env: ['Pendulum-v1'], seeds: '0' }), '--seeds', '1'], /give the grid in the plan file .* or as flags, not both \(got --seeds\)/],
  ];
  for (const [args, message] of cases) {
    const r = runCliSync(['sweep', ...args, '--runs', runs]);
    assert.is(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.match(r.stderr, /\(see softac sweep --help\)/);
  }
  assert.not.ok(existsSync(runs), 'a refused plan wrote the runs root');
});

test('queue and worker flags: a bad URL or a missing flag is a usage error, and a password never shows', () => {
  const pw = 'hunter2-Xy';
  const cases: [string[], RegExp][] = [
    [['worker', '--runs', 'r'], /worker: --queue must be given/],
    [['worker', '--queue', 'redis://127.0.0.1:6379/0'], /worker: --runs must be given/],
    [['worker', '--queue', `http://:${pw}@127.0.0.1/0`, '--runs', 'r'], /--queue must be a Redis URL \(redis:\/\/ or rediss:\/\/\), got "http:\/\/:\*\*\*@127\.0\.0\.1\/0"/],
    [['worker', '--queue', 'redis://h/0', '--runs', 'r', '--lock-ms', '10'], /--lock-ms must be an integer from 500 to 3600000, got '10'/],
    [['sweep', '--queue', `redis://:${pw}@127.0.0.1:6379/zero`], /--queue must end in a database number \(\/0\), got "redis:\/\/:\*\*\*@127\.0\.0\.1:6379\/zero"/],
    [['sweep', '--queue', `not a url ${pw}`], /--queue must be a Redis URL such as redis:\/\/host:6379\/0/],
    [['sweep', '--workers', '2', '--queue', 'redis://127.0.0.1:6379/0'], /--workers is for a sweep on this machine; with --queue give it to softac worker \(as --concurrency\)/],
    [['sweep', '--queue-name', 'q'], /--queue-name goes with --queue/],
  ];
  for (const [args, message] of cases) {
    const r = runCliSync(args);
    assert.is(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.not.ok((r.stdout + r.stderr).includes(pw), `the password shows: ${r.stderr}`);
  }
  // No Redis there: a clear error, quickly, without the password.
  const down = runCliSync(['sweep', 'status', '--queue', `redis://:${pw}@127.0.0.1:1/0`], { timeoutMs: 30_000 });
  assert.is(down.status, 1, down.stderr);
  assert.match(down.stderr, /queue softac-sweep at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0: .*ECONNREFUSED/);
  assert.not.ok(down.stderr.includes(pw));
});

test('a local sweep stopped by Ctrl-C continues when run again: done jobs skipped, the rest resumed, each run byte-identical to softac train', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-sweep-local-')), runs = join(dir, 'runs');
  const args = ['sweep', '--seeds', '0-2', '--set', 'lr=0.001', ...tiny, '--runs', runs, '--workers', '2', '--threads', '1'];
  let sent = false, seen = '';
  const cut = await runCli(args, {
    timeoutMs: 90_000,
    onStdout: (d, child) => {
      seen += d;
      // Ctrl-C once the third job (started when the first was done) has checkpointed its first epoch.
      if (!sent && /seed2: epoch 1\/4/.test(seen)) {
        sent = true;
        child.kill('SIGINT');
      }
    },
  });
  assert.is(cut.status, 130, cut.stdout + cut.stderr);
  assert.match(cut.stdout, /stopped with checkpoints; run the same command again to continue/);
  const again = await runCli(args, { timeoutMs: 90_000 });
  assert.is(again.status, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /Pendulum-v1-lr=0\.001-seed0: done already/);
  assert.match(again.stdout, /Pendulum-v1-lr=0\.001-seed2: resumed at step \d+/);
  assert.match(again.stdout, /3 done, 0 stopped or not started, 0 failed/);
  for (const seed of [0, 1, 2]) {
    const plain = join(dir, `train-seed${seed}`);
    const t = await runCli(['train', ...tiny, '--lr', '0.001', '--seed', String(seed), '--threads', '1', '--out', plain]);
    assert.is(t.status, 0, t.stderr);
    const job = join(runs, `Pendulum-v1-lr=0.001-seed${seed}`);
    assert.ok(readFileSync(join(job, 'model.safetensors')).equals(readFileSync(join(plain, 'model.safetensors'))), `seed ${seed}: the models differ`);
    assert.equal(progressOf(job), progressOf(plain));
  }
  const status = runCliSync(['sweep', 'status', '--runs', runs]);
  assert.is(status.status, 0, status.stderr);
  assert.is(status.stdout.match(/Pendulum-v1-lr=0\.001-seed\d\s+done\s+4\/4\s+-?\d+\.\d/g)?.length, 3, status.stdout);
});

test('a local job that fails (its env returns NaN) is reported while the others finish; a runs root holding other runs is refused before any job starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-sweep-fail-')), runs = join(dir, 'runs');
  const env = join(dir, 'nan-env.mjs');
  writeFileSync(env, `export default class NanAt50 {
  observationSpace = { shape: [1] };
  actionSpace = { shape: [1], low: [-1], high: [1] };
  t = 0;
  reset() { this.t = 0; return [0]; }
  step() { this.t++; return { observation: [0], reward: this.t === 50 ? NaN : 0, terminated: false, truncated: this.t >= 100 }; }
}\n`);
  const r = await runCli(['sweep', '--env', `Pendulum-v1,${env}`, ...tiny, '--runs', runs, '--workers', '2', '--threads', '1'], { timeoutMs: 60_000 });
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /nan-env-seed0: failed: .*reward.*NaN/);
  assert.match(r.stdout, /1 done, 0 stopped or not started, 1 failed/);
  const changed = runCliSync(['sweep', ...tiny, '--epochs', '5', '--runs', runs]);
  assert.is(changed.status, 2, changed.stdout + changed.stderr);
  assert.match(changed.stderr, /sweep: run directory .*Pendulum-v1-seed0 holds another run \(epochs 4, not 5\); give another runs root or remove it/);
  assert.is(readProgress(join(runs, 'Pendulum-v1-seed0', 'progress.txt')).Epoch!.length, 4, 'the refused sweep touched the run');
  const dry = runCliSync(['sweep', ...tiny, '--epochs', '5', '--runs', runs, '--dry-run']);
  assert.match(dry.stdout, /Pendulum-v1-seed0 .*\[holds another run\]/);
});

test('report groups runs by settings: final test return mean ± std over seeds, an SVG with a band, a CSV; bench learn dirs too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-sweep-report-')), runs = join(dir, 'runs'), out = join(dir, 'report');
  const s = await runCli(['sweep', '--seeds', '0-1', '--set', 'alpha=0.2,auto', ...tiny, '--runs', runs, '--workers', '2', '--threads', '1'], { timeoutMs: 90_000 });
  assert.is(s.status, 0, s.stdout + s.stderr);
  const r = runCliSync(['sweep', 'report', '--runs', runs, '--out', out]);
  assert.is(r.status, 0, r.stderr);
  const finals = (name: string) => readProgress(join(runs, name, 'progress.txt')).AverageTestEpRet!.at(-1)!;
  for (const alpha of ['0.2', 'auto']) {
    const xs = [0, 1].map((seed) => finals(`Pendulum-v1-alpha=${alpha}-seed${seed}`));
    const mean = (xs[0]! + xs[1]!) / 2, std = Math.abs(xs[0]! - xs[1]!) / 2;
    assert.ok(r.stdout.includes(`| Pendulum-v1 alpha=${alpha} | 0, 1 | 4 | 1200 | ${mean.toFixed(1)} ± ${std.toFixed(1)} |`), r.stdout);
  }
  const svg = readFileSync(join(out, 'sweep-report.svg'), 'utf8');
  assert.is(svg.match(/<polygon /g)?.length, 2, 'a band per group');
  assert.is(svg.match(/<polyline /g)?.length, 2, 'a mean line per group');
  const csv = readFileSync(join(out, 'sweep-report.csv'), 'utf8').trim().split('\n');
  assert.is(csv[0], 'group,env,seed,run,epochs,steps,final_test_return');
  assert.is(csv.length, 5);

  // softac bench learn's run directories (<env>-seed<N>), one unfinished: left out unless --all.
  const learn = join(dir, 'learn');
  const b = await runCli(['bench', 'learn', '--seeds', '0,1', '--steps', '1200', ...tiny.slice(2), '--runs', learn, '--threads', '1'], { timeoutMs: 90_000 });
  assert.is(b.status, 0, b.stdout + b.stderr);
  const c = startCli(['bench', 'learn', '--seeds', '2', '--steps', '2400', ...tiny.slice(2), '--runs', learn, '--threads', '1'], { timeoutMs: 90_000 });
  const t0 = Date.now();
  while (!existsSync(join(learn, 'Pendulum-v1-seed2', 'progress.txt')) && Date.now() - t0 < 60_000) await new Promise((res) => setTimeout(res, 20));
  c.child.kill('SIGINT');
  const cr = await c.done;
  assert.is(cr.status, 130, cr.stdout + cr.stderr);
  const l = runCliSync(['sweep', 'report', '--runs', learn, '--out', out]);
  assert.is(l.status, 0, l.stderr);
  assert.match(l.stdout, /2 runs in 1 group; 1 unfinished left out \(--all includes them\)/);
  assert.match(l.stdout, /\| Pendulum-v1 \| 0, 1 \| 4 \| 1200 \| -?\d+\.\d ± \d+\.\d \|/);
  // With --all the unfinished run is its own group (its run length differs), cut at the epochs it has.
  const all = runCliSync(['sweep', 'report', '--runs', learn, '--out', out, '--all']);
  assert.match(all.stdout, /3 runs in 2 groups/);
  assert.match(all.stdout, /\| Pendulum-v1 epochs=8 \| 2 \| \d \(unfinished\) \|/);
  const missing = runCliSync(['sweep', 'report', '--runs', join(dir, 'nowhere')]);
  assert.is(missing.status, 2);
  assert.match(missing.stderr, /--runs .*nowhere: no such directory/);
});

test.run();
