/** `softac train` from the command line: flags from SacOptions, bad flags, a user's env module. */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { loadSafetensors } from '../../src/io/safetensors.js';
import { runCli, runCliSync as softac } from '../helpers/spawn.js';

const quick = ['--epochs', '1', '--steps-per-epoch', '120', '--start-steps', '50', '--update-after', '50',
  '--update-every', '25', '--batch-size', '16', '--hidden', '16,16', '--num-test-episodes', '1'];

test('train --help lists every SacOptions field as a kebab-case flag with its default', () => {
  const r = softac(['train', '--help']);
  assert.is(r.status, 0);
  for (const flag of ['--epochs', '--steps-per-epoch', '--start-steps', '--update-after', '--update-every', '--batch-size',
    '--num-test-episodes', '--max-ep-len', '--replay-size', '--gamma', '--polyak', '--lr', '--pi-lr', '--q-lr', '--alpha', '--hidden',
    '--policy-delay', '--target-update-interval', '--explore-hold'])
    assert.ok(r.stdout.includes(flag), flag);
  assert.match(r.stdout, /--gamma\s+discount factor \[0\.99\]/);
});

test('bad flags exit with status 2 and a message naming the flag and the value', () => {
  const cases: [string[], RegExp][] = [
    [['train', '--gamma', '2'], /--gamma must be a number in \[0, 1\], got 2/],
    [['train', '--batch-size', 'ten'], /--batch-size must be a number, got 'ten'/],
    [['train', '--alpha', 'high'], /--alpha must be a number or 'auto', got 'high'/],
    [['train', '--hidden', '256,x'], /--hidden must be a comma-separated list of positive integers/],
    [['train', '--env', 'CartPole-v1'], /unknown environment 'CartPole-v1'/],
    [['train', '--seed', '1.5'], /--seed must be an integer from 0 to 4294967295, got '1.5'/],
    [['train', '--frobnicate'], /Unknown option '--frobnicate'/],
  ];
  for (const [args, re] of cases) {
    const r = softac(args);
    assert.is(r.status, 2, args.join(' '));
    assert.match(r.stderr, re);
  }
});

test("a short run prints Spinning Up's epoch table and writes the run directory", () => {
  const out = join(mkdtempSync(join(tmpdir(), 'softac-run-')), 'run');
  const r = softac(['train', ...quick, '--out', out]);
  assert.is(r.status, 0, r.stderr);
  for (const col of ['Epoch', 'AverageEpRet', 'AverageTestEpRet', 'TotalEnvInteracts', 'AverageQ1Vals', 'LossPi', 'LossQ', 'Time'])
    assert.match(r.stdout, new RegExp(`\\|\\s+${col} \\|`));
  assert.match(r.stdout, /TotalEnvInteracts \|\s+120 \|/);
  const progress = readFileSync(join(out, 'progress.txt'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
  assert.is(progress.length, 2);
  assert.equal(progress[0], ['Epoch', 'AverageEpRet', 'StdEpRet', 'MaxEpRet', 'MinEpRet', 'AverageTestEpRet', 'StdTestEpRet',
    'MaxTestEpRet', 'MinTestEpRet', 'EpLen', 'TestEpLen', 'TotalEnvInteracts', 'AverageQ1Vals', 'StdQ1Vals', 'MaxQ1Vals',
    'MinQ1Vals', 'AverageQ2Vals', 'StdQ2Vals', 'MaxQ2Vals', 'MinQ2Vals', 'AverageLogPi', 'StdLogPi', 'MaxLogPi', 'MinLogPi',
    'LossPi', 'LossQ', 'Alpha', 'Time']);
  assert.is(progress[1]![progress[0]!.indexOf('TotalEnvInteracts')], '120');
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.equal(config.options.hidden, [16, 16]);
  const model = loadSafetensors(join(out, 'model.safetensors'));
  assert.ok(model.tensors.has('pi.mu_layer.weight') && model.tensors.has('targ.q2.q.4.bias'));
  assert.equal(model.tensors.get('q1.q.0.weight')!.shape, [16, 4]);
});

test("a user's env module (default export a class) trains; a malformed one is refused", () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-env-'));
  const good = join(dir, 'line.mjs');
  writeFileSync(good, `export default class Line {
  observationSpace = { shape: [1] };
  actionSpace = { shape: [1], low: [-1], high: [1] };
  maxEpisodeSteps = 20;
  x = 0; t = 0;
  reset() { this.x = 0; this.t = 0; return [this.x]; }
  step(a) { this.x += a[0]; this.t++; return { observation: [this.x], reward: -Math.abs(this.x), terminated: false, truncated: this.t >= 20 }; }
}\n`);
  const r = softac(['train', '--env', good, ...quick, '--out', join(dir, 'run')]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /TestEpLen \|\s+20\.0 \|/);
  const bad = join(dir, 'bad.mjs');
  writeFileSync(bad, 'export default () => ({ observationSpace: { shape: [2] }, reset() {}, step() {} });\n');
  const b = softac(['train', '--env', bad, ...quick]);
  assert.is(b.status, 2);
  assert.match(b.stderr, /actionSpace needs shape \[act_dim\] and low\/high arrays/);
});

const resumable = ['--epochs', '8', '--steps-per-epoch', '300', '--start-steps', '100', '--update-after', '100',
  '--update-every', '20', '--batch-size', '16', '--hidden', '16,16', '--num-test-episodes', '1', '--seed', '4'];

/** progress.txt without its Time column (wall time is the one thing allowed to differ). */
const progressOf = (dir: string) => readFileSync(join(dir, 'progress.txt'), 'utf8').trim().split('\n').map((l) => l.split('\t').slice(0, -1).join('\t'));

test('Ctrl-C saves a checkpoint and exits 130; --resume then ends bit-identical to an uninterrupted run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-resume-'));
  const whole = softac(['train', ...resumable, '--out', join(dir, 'whole')]);
  assert.is(whole.status, 0, whole.stderr);
  let seen = '';
  const cut = await runCli(['train', ...resumable, '--out', join(dir, 'cut')], {
    onStdout: (d, child) => {
      // Interrupt in the second epoch, once the first epoch's table is out.
      if (!seen.includes('TotalEnvInteracts') && (seen + d).includes('TotalEnvInteracts')) setTimeout(() => child.kill('SIGINT'), 30);
      seen += d;
    },
  });
  const out = cut.stdout;
  assert.is(cut.status, 130, out);
  const m = /stopped by SIGINT at step (\d+) of 2400; checkpoint saved\. Continue with: softac train --resume (\S+)/.exec(out);
  assert.ok(m, out);
  assert.ok(Number(m![1]) > 300 && Number(m![1]) < 2400, `stopped at step ${m![1]}`);
  const resumed = softac(['train', '--resume', join(dir, 'cut')]);
  assert.is(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stdout, new RegExp(`resuming .* at step ${m![1]} of 2400`));
  assert.ok(readFileSync(join(dir, 'whole', 'model.safetensors')).equals(readFileSync(join(dir, 'cut', 'model.safetensors'))), 'the models differ');
  assert.equal(progressOf(join(dir, 'cut')), progressOf(join(dir, 'whole')));
});

test('--resume refuses other flags, a missing run, a truncated or foreign checkpoint, with clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-bad-resume-'));
  const run = join(dir, 'run');
  assert.is(softac(['train', ...quick, '--out', run]).status, 0);
  const flags = softac(['train', '--resume', run, '--gamma', '0.9']);
  assert.is(flags.status, 2);
  assert.match(flags.stderr, /--resume continues a run with its saved settings; only --epochs \(to extend it\) and --threads may be given with it, got --gamma/);
  const fewer = softac(['train', '--resume', run, '--epochs', '0']);
  assert.is(fewer.status, 2);
  const missing = softac(['train', '--resume', join(dir, 'nowhere')]);
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /--resume .*nowhere: no such run directory/);
  const empty = softac(['train', '--resume', dir]);
  assert.is(empty.status, 1);
  assert.match(empty.stderr, /--resume .*: safetensors .*checkpoint\.safetensors: cannot read the file/);
  const ckpt = join(run, 'checkpoint.safetensors');
  const bytes = readFileSync(ckpt);
  writeFileSync(ckpt, bytes.subarray(0, bytes.length - 100));
  const truncated = softac(['train', '--resume', run]);
  assert.is(truncated.status, 1);
  assert.match(truncated.stderr, /--resume .*: safetensors .*checkpoint\.safetensors: /);
  assert.not.match(truncated.stderr, /at .*\.js:\d+/); // no stack trace
  copyFileSync(join(run, 'model.safetensors'), ckpt);
  const foreign = softac(['train', '--resume', run]);
  assert.is(foreign.status, 1);
  assert.match(foreign.stderr, /not a softac checkpoint/);
  writeFileSync(ckpt, bytes);
  const extended = softac(['train', '--resume', run, '--epochs', '2']);
  assert.is(extended.status, 0, extended.stderr);
  assert.match(extended.stdout, /resuming .* at step 120 of 240/);
  assert.is(progressOf(run).length, 3);
});

test('bench learn refuses bad seeds and step counts before training', () => {
  const a = softac(['bench', 'learn', '--steps', '100']);
  assert.is(a.status, 2);
  assert.match(a.stderr, /--steps must be a positive multiple of the epoch length 4000, got '100'/);
  const b = softac(['bench', 'learn', '--seeds', '0,x']);
  assert.is(b.status, 2);
  assert.match(b.stderr, /--seeds must be a comma-separated list of integers >= 0, got '0,x'/);
  const c = softac(['bench', 'learn', '--pytorch', '--env', 'MountainCarContinuous-v0']);
  assert.is(c.status, 2);
  assert.match(c.stderr, /bench learn --pytorch: the PyTorch baseline is Spinning Up on Pendulum-v1 with its defaults/);
});

test.run();
