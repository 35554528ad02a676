/** exploreHold: exploration noise drawn every N steps and held in between (random actions, then the policy's eps). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { checkedOptions } from '../../src/cli/train.js';
import type { Env } from '../../src/envs/index.js';
import { referenceKernels, tryLoadNative } from '../../src/kernels/index.js';
import { Rng } from '../../src/nn/rng.js';
import { resolveOptions } from '../../src/sac/options.js';
import { SAC } from '../../src/sac/sac.js';
import { train } from '../../src/train/loop.js';

const k = tryLoadNative() ?? referenceKernels;

/** A 2-D random walk with a per-dimension action box, so every stored action can be checked. */
class Walk implements Env {
  observationSpace = { shape: [2] as [number] };
  actionSpace = { shape: [2] as [number], low: [-2, 0], high: [3, 0.5] };
  maxEpisodeSteps = 17;
  x = [0, 0];
  reset() { this.x = [0, 0]; return [...this.x]; }
  step(a: Float32Array) {
    this.x = [this.x[0]! + 0.1 * a[0]!, this.x[1]! - 0.1 * a[1]!];
    return { observation: [...this.x], reward: -Math.abs(this.x[0]!), terminated: false, truncated: false };
  }
}

const SEED = 4, START = 23, STEPS = 60;
// No update runs (updateAfter is past the end), so the policy stays at its initialisation.
const opts = { hidden: [8, 8], batchSize: 4, stepsPerEpoch: STEPS, epochs: 1, startSteps: START, updateAfter: 1000, updateEvery: 10, numTestEpisodes: 0, replaySize: 100 };

function actions(buf: Float32Array, n: number): number[][] {
  return Array.from({ length: n }, (_, t) => [buf[2 * t]!, buf[2 * t + 1]!]);
}

test('exploreHold is an integer >= 1, checked by name (and as a flag by the CLI)', () => {
  assert.is(resolveOptions().exploreHold, 1);
  assert.throws(() => resolveOptions({ exploreHold: 0 }), /SAC option 'exploreHold' must be an integer from 1 to 1099511627776, got 0/);
  assert.throws(() => resolveOptions({ exploreHold: 2.5 }), /SAC option 'exploreHold' must be an integer from 1 to 1099511627776, got 2.5/);
  assert.throws(() => checkedOptions({ exploreHold: -3 }), /--explore-hold must be an integer from 1 to 1099511627776, got -3/);
});

test('exploreHold 1 (the default): a fresh uniform action every random step, as Spinning Up', () => {
  const { buffer } = train({ k, makeEnv: () => new Walk(), envName: 'walk', options: opts, seed: SEED });
  const rng = new Rng((SEED + 0xe4e) >>> 0);
  const want = Array.from({ length: START + 1 }, () => [Math.fround(rng.uniformIn(-2, 3)), Math.fround(rng.uniformIn(0, 0.5))]);
  assert.equal(actions(buffer.act, START + 1), want);
});

test('exploreHold 5: each uniform random action is held for 5 steps, then the policy eps is held for 5 steps', () => {
  const N = 5;
  const { buffer, agent } = train({ k, makeEnv: () => new Walk(), envName: 'walk', options: { ...opts, exploreHold: N }, seed: SEED });
  const acts = actions(buffer.act, STEPS);
  // The random phase (steps 0..START, Spinning Up's t <= start_steps): one draw every N steps.
  const rng = new Rng((SEED + 0xe4e) >>> 0);
  let held: number[] = [];
  for (let t = 0; t <= START; t++) {
    if (t % N === 0) held = [Math.fround(rng.uniformIn(-2, 3)), Math.fround(rng.uniformIn(0, 0.5))];
    assert.equal(acts[t], held, `random step ${t}`);
  }
  assert.ok(acts[0]![0] !== acts[N]![0], 'a new action is drawn after N steps');
  // The policy phase: eps from the agent's stream, drawn on the first policy step and on
  // every multiple of N, held in between; the action still follows the observation.
  const noise = new Rng((SEED + 0x5ac) >>> 0), eps = new Float32Array(2);
  let draws = 0;
  for (let t = START + 1; t < STEPS; t++) {
    if (t === START + 1 || t % N === 0) {
      noise.fillNormal(eps);
      draws++;
    }
    const o = buffer.obs.subarray(2 * t, 2 * t + 2);
    assert.equal(acts[t], Array.from(agent.actWithNoise(o, eps)), `policy step ${t}`);
  }
  assert.is(draws, 1 + Math.floor((STEPS - 1) / N) - Math.floor(START / N));
  assert.equal(agent.rng.state(), noise.state(), 'the agent drew eps only on those steps');
  // Held eps is not a fresh draw each step: the per-step sampler gives other actions.
  const fresh = train({ k, makeEnv: () => new Walk(), envName: 'walk', options: opts, seed: SEED });
  assert.not.equal(actions(fresh.buffer.act, STEPS).slice(START + 2), acts.slice(START + 2));
});

test('actWithNoise is the squashed Gaussian sample with the given eps, and checks its inputs', () => {
  const agent = new SAC(k, 2, { low: [-2, 0], high: [3, 0.5] }, { hidden: [8, 8] }, 1);
  const o = [0.3, -0.2];
  const same = new Rng(9), eps = new Rng(9).fillNormal(new Float32Array(2));
  agent.rng.setState(same.state());
  assert.equal(Array.from(agent.actWithNoise(o, eps)), Array.from(agent.act(o)));
  assert.throws(() => agent.actWithNoise([1], eps), /act: the observation must have 2 values, got 1/);
  assert.throws(() => agent.actWithNoise(o, new Float32Array(3)), /actWithNoise: eps must have 2 values, got 3/);
});

test.run();
