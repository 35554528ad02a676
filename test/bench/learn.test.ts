/**
 * bench learn with a runs directory: a seed stopped mid-run resumes from its checkpoint when
 * the benchmark runs again and ends where an uninterrupted run does; a directory holding
 * another run is refused before anything trains.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { benchLearn, type LearnRow } from '../../bench/learn.js';

const options = { hidden: [16, 16], batchSize: 16, stepsPerEpoch: 200, startSteps: 50, updateAfter: 50, updateEvery: 25, numTestEpisodes: 1 };
const noop = () => undefined;

test('a seed stopped after its first epoch resumes from its run directory and ends as an uninterrupted run', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'softac-learn-'));
  let epochs = 0;
  const first = await benchLearn({ env: 'Pendulum-v1', seeds: [4], steps: 600, options, runs, onRow: noop, onEpoch: () => epochs++, shouldStop: () => epochs >= 1 });
  assert.equal(first, [], 'a stopped seed has no row');
  const resumed = await benchLearn({ env: 'Pendulum-v1', seeds: [4], steps: 600, options, runs, onRow: noop });
  const whole = await benchLearn({ env: 'Pendulum-v1', seeds: [4], steps: 600, options, onRow: noop });
  const result = (r: LearnRow[]) => r.map(({ final_test_return, steps, seed }) => ({ final_test_return, steps, seed }));
  assert.equal(result(resumed), result(whole));
  assert.is(resumed[0]!.run_dir, join(runs, 'Pendulum-v1-seed4'));
  let err: Error | null = null;
  await benchLearn({ env: 'Pendulum-v1', seeds: [4], steps: 600, options: { ...options, gamma: 0.9 }, runs, onRow: noop }).catch((e: Error) => (err = e));
  assert.match(String(err), /Pendulum-v1-seed4 holds another run \(gamma 0\.99, not 0\.9\)/);
});

test.run();
