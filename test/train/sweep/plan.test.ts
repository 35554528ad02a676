/** A sweep's grid: its order, its run directories' names, and the checks on a plan and on a job from a queue. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { defaults } from '../../../src/sac/options.js';
import { checkJob, expandPlan, jobName, parseSeeds } from '../../../src/train/sweep/plan.js';
import { groupRuns, meanStd, type ReportRun } from '../../../src/train/sweep/report.js';

test('the grid: env, then each setting (the first varying slowest), then the seed; fixed options in every job, not in the names', () => {
  const jobs = expandPlan({ env: ['Pendulum-v1'], seeds: '0-1', set: { lr: [1e-3, 3e-4], 'batch-size': [32] }, options: { epochs: 7 } });
  assert.equal(jobs.map((j) => j.name), ['Pendulum-v1-lr=0.001-batch-size=32-seed0', 'Pendulum-v1-lr=0.001-batch-size=32-seed1',
    'Pendulum-v1-lr=0.0003-batch-size=32-seed0', 'Pendulum-v1-lr=0.0003-batch-size=32-seed1']);
  assert.equal(jobs[2]!.options, { ...defaults, lr: 3e-4, batchSize: 32, epochs: 7 });
  assert.equal(jobs[2]!.settings, { lr: 3e-4, batchSize: 32 });
  // No settings: bench learn's names, so a report reads both alike.
  assert.is(jobName('HalfCheetah-v4', {}, 3), 'HalfCheetah-v4-seed3');
  assert.is(jobName('/home/me/envs/reacher.mjs', { hidden: [64, 64], alpha: 'auto' }, 0), 'reacher-hidden=64x64-alpha=auto-seed0');
});

test('seeds: ranges and lists, in order, each once', () => {
  assert.equal(parseSeeds('s', '0-2,7'), [0, 1, 2, 7]);
  assert.equal(parseSeeds('s', [5, 1]), [5, 1]);
  assert.throws(() => parseSeeds('s', '1,1'), /s: seed 1 is listed twice/);
  assert.throws(() => parseSeeds('s', '-1'), /s must be a list such as 0-4/);
  assert.throws(() => parseSeeds('s', [1.5]), /s: seed must be an integer from 0 to 4294967295, got 1\.5/);
});

test('a job from a queue is checked field by field; its name can never leave the runs root', () => {
  const [job] = expandPlan({ env: ['Pendulum-v1'], seeds: [0] });
  assert.equal(checkJob('job', JSON.parse(JSON.stringify(job))), job);
  assert.throws(() => checkJob('job', { ...job, name: '../x' }), /job: name must be a directory name \(no slash, not starting with a dot\), got string "\.\.\/x"/);
  assert.throws(() => checkJob('job', { ...job, seed: -1 }), /job: seed must be an integer from 0/);
  assert.throws(() => checkJob('job', { ...job, options: { ...job!.options, gamma: 2 } }), /SAC option 'gamma' must be a number in \[0, 1\], got 2/);
  assert.throws(() => checkJob('job', { ...job, extra: 1 }), /job: unknown option 'extra'/);
});

test('report groups: by env and every option, the seed apart; labels name only what differs; population std', () => {
  const run = (seed: number, lr: number, rets: number[]): ReportRun => ({ dir: `d${seed}${lr}`, env: 'Pendulum-v1', seed, options: { ...defaults, lr },
    steps: rets.map((_, i) => (i + 1) * 100), testReturns: rets, finished: true });
  const g = groupRuns([run(0, 1e-3, [1, 2]), run(1, 1e-3, [3, 6]), run(0, 3e-4, [5, 5])]);
  assert.equal(g.map((x) => x.label), ['Pendulum-v1 lr=0.0003', 'Pendulum-v1 lr=0.001']);
  assert.equal(g[1]!.mean, [2, 4]);
  assert.equal(g[1]!.std, [1, 2]);
  assert.equal(meanStd([2, 4, 4, 4, 5, 5, 7, 9]), { mean: 5, std: 2 });
});

test.run();
