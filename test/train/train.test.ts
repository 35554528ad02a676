/** The training loop: a short smoke run, episode ends stored right, faulty envs named. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import type { Env } from '../../src/envs/index.js';
import { Pendulum } from '../../src/envs/index.js';
import { referenceKernels, tryLoadNative } from '../../src/kernels/index.js';
import { Moments } from '../../src/train/epoch-logger.js';
import { train } from '../../src/train/loop.js';

const k = tryLoadNative() ?? referenceKernels;
const tiny = { hidden: [16, 16], batchSize: 16, stepsPerEpoch: 150, epochs: 2, startSteps: 50, updateAfter: 50, updateEvery: 25, numTestEpisodes: 1, replaySize: 1000 };

test('a few hundred steps on Pendulum: two epochs of finite stats', () => {
  const seen: number[] = [];
  const { epochs, agent } = train({ k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', options: tiny, seed: 1 }, { onEpoch: (s) => seen.push(s.epoch) });
  assert.equal(seen, [1, 2]);
  assert.is(epochs[1]!.totalEnvInteracts, 300);
  for (const e of epochs) {
    for (const key of ['lossPi', 'lossQ'] as const) assert.ok(Number.isFinite(e[key]), `epoch ${e.epoch} ${key} = ${e[key]}`);
    for (const key of ['q1Vals', 'q2Vals', 'logPi'] as const) {
      const s = e[key];
      assert.ok([s.average, s.std, s.max, s.min].every(Number.isFinite) && s.min <= s.average && s.average <= s.max && s.std >= 0, `epoch ${e.epoch} ${key} ${JSON.stringify(s)}`);
    }
    assert.ok(Number.isFinite(e.testEpRet.average));
    assert.is(e.testEpLen, 200);
  }
  assert.ok(agent.params.data.every(Number.isFinite));
});

/** A 1-D env that ends after 5 steps, by termination or by its time limit. */
class FiveSteps implements Env {
  observationSpace = { shape: [1] as [number] };
  actionSpace = { shape: [1] as [number], low: [-1], high: [1] };
  private t = 0;
  constructor(private readonly how: 'terminated' | 'truncated', readonly bad?: 'reward' | 'obs') {}
  reset() { this.t = 0; return [0]; }
  step() {
    this.t++;
    const end = this.t === 5;
    return {
      observation: this.bad === 'obs' && this.t === 3 ? [0, 1] : [this.t],
      reward: this.bad === 'reward' && this.t === 4 ? NaN : 1,
      terminated: end && this.how === 'terminated', truncated: end && this.how === 'truncated',
    };
  }
}

const fiveStepOpts = { ...tiny, stepsPerEpoch: 20, epochs: 1, startSteps: 100, updateAfter: 100 };

test('Moments gives the mean, population std, min and max of everything added', () => {
  const m = new Moments();
  m.add([1, 2, 3]);
  m.add(Float32Array.of(4, 10));
  assert.equal(m.stat(), { average: 4, std: Math.sqrt((9 + 4 + 1 + 0 + 36) / 5), max: 10, min: 1 });
  assert.ok(Number.isNaN(new Moments().stat().average));
});

test('a termination is stored as done; a time-limit truncation is not (the backup bootstraps)', () => {
  for (const how of ['terminated', 'truncated'] as const) {
    const { buffer } = train({ k, makeEnv: () => new FiveSteps(how), envName: 'five', options: fiveStepOpts });
    const done = Array.from(buffer.done.subarray(0, 20));
    const want = Array.from({ length: 20 }, (_, i) => (how === 'terminated' && (i + 1) % 5 === 0 ? 1 : 0));
    assert.equal(done, want, how);
    // Each episode restarts from reset(): the 6th observation stored is 0 again.
    assert.is(buffer.obs[5], 0);
  }
});

test('max_ep_len cuts episodes as a truncation too', () => {
  const { buffer } = train({ k, makeEnv: () => new FiveSteps('terminated'), envName: 'five', options: { ...fiveStepOpts, maxEpLen: 3 } });
  assert.ok(Array.from(buffer.done.subarray(0, 20)).every((d) => d === 0));
  assert.equal(Array.from(buffer.obs.subarray(0, 7)), [0, 1, 2, 0, 1, 2, 0]);
});

test('a faulty env is named with the step and the bad value', () => {
  assert.throws(() => train({ k, makeEnv: () => new FiveSteps('terminated', 'reward'), envName: 'five', options: fiveStepOpts }),
    (e: Error) => e instanceof RangeError && e.message === "env 'five' step 4: reward is NaN, not a finite number");
  assert.throws(() => train({ k, makeEnv: () => new FiveSteps('terminated', 'obs'), envName: 'five', options: fiveStepOpts }),
    (e: Error) => e instanceof RangeError && e.message === "env 'five' step 3: observation must have 1 values, got 2");
});

test('bad options are refused, naming the option', () => {
  assert.throws(() => train({ k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', options: { gamma: 1.5 } }), /SAC option 'gamma' must be a number in \[0, 1\], got 1.5/);
  assert.throws(() => train({ k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', options: { batchSize: 0 } }), /'batchSize' must be an integer from 1 to 1048576, got 0/);
  assert.throws(() => train({ k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', options: { alpha: -1 } }), /'alpha' must be a number >= 0 or 'auto'/);
  // Sizes that would ask for absurd allocations are refused before anything is allocated.
  assert.throws(() => train({ k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', options: { hidden: [1e6] } }), /'hidden' must be a list of 1 to 64 layer widths, each an integer from 1 to 65536, got \[1000000\]/);
  assert.throws(() => train({ k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', options: { replaySize: 2 ** 31 - 1 } }), /ReplayBuffer: 2147483647 transitions of 9 floats need 72.0 GiB, over the 8 GiB limit/);
  assert.throws(() => train({ k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', options: { hidden: [65536, 65536, 65536] } }), /ParameterSet: \d+ parameters are over the limit of 268435456/);
});

test('training is bit-identical on 1 and 2 native threads (same seed, same machine, same path)', () => {
  const native = tryLoadNative();
  if (!native) throw new Error('this test needs the native addon (npm run build:native)');
  const before = native.info().threads;
  const run = (threads: number) => {
    native.setNumThreads(threads);
    // Batch 256 and width 256: big enough that the driver really splits GEMMs and passes.
    return train({ k: native, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', seed: 4,
      options: { ...tiny, hidden: [256, 256], batchSize: 256, stepsPerEpoch: 120, epochs: 1, startSteps: 60, updateAfter: 60, updateEvery: 20 } });
  };
  try {
    const one = run(1), two = run(2);
    assert.ok(Buffer.from(one.agent.params.data.buffer).equals(Buffer.from(two.agent.params.data.buffer)), 'parameters differ between 1 and 2 threads');
    assert.ok(Buffer.from(one.agent.targ.data.buffer).equals(Buffer.from(two.agent.targ.data.buffer)), 'targets differ between 1 and 2 threads');
    assert.equal(one.epochs.map(({ time: _t, ...e }) => e), two.epochs.map(({ time: _t, ...e }) => e));
  } finally {
    native.setNumThreads(before);
  }
});

test.run();
