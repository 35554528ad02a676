/** `softac eval`: a trained model's deterministic episodes; wrong models and files named. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Pendulum } from '../../src/envs/index.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { Policy } from '../../src/sac/policy.js';
import { SAC } from '../../src/sac/sac.js';
import { runCliSync as softac } from '../helpers/spawn.js';

const dir = mkdtempSync(join(tmpdir(), 'softac-eval-'));
const model = join(dir, 'model.safetensors');
const sac = new SAC(referenceKernels, 3, { low: [-2], high: [2] }, { hidden: [8, 8] }, 4);
sac.saveModel(model);

test("a loaded Policy acts exactly as the agent's deterministic policy", () => {
  const p = Policy.load(model, { bounds: { low: [-2], high: [2] }, kernels: referenceKernels });
  assert.equal(p.sizes, { obsDim: 3, actDim: 1, hidden: [8, 8] });
  for (const o of [[0.1, -0.2, 0.3], [1, 0, -5]]) assert.equal(Array.from(p.act(o)), Array.from(sac.act(o, true)));
  assert.throws(() => Policy.load(model, { bounds: { low: [-1, -1], high: [1, 1] } }), /acts in 1 dimensions, the environment's action space has 2/);
  assert.throws(() => p.act([1, 2]), /observation must have 3 values, got 2/);
});

test('softac eval runs N deterministic episodes and prints each return and the average', () => {
  const r = softac(['eval', '--model', model, '--env', 'Pendulum-v1', '--episodes', '3', '--seed', '5']);
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines.length, 4);
  assert.match(lines[0]!, /^episode 1: return -?\d+\.\d{3}, length 200$/);
  assert.match(lines[3]!, /^average return -?\d+\.\d{3} \(std .*\) over 3 episodes$/);
  // The same as running the policy by hand on the same resets.
  const p = Policy.load(model, { bounds: { low: [-2], high: [2] } });
  const env = new Pendulum();
  let o: ArrayLike<number> = env.reset(5), ret = 0;
  for (let t = 0; t < 200; t++) {
    const s = env.step(p.act(o));
    ret += s.reward;
    o = s.observation;
  }
  assert.is(lines[0], `episode 1: return ${ret.toFixed(3)}, length 200`);
});

test('eval refuses a missing or corrupt file, a model for another env, and missing flags', () => {
  const corrupt = join(dir, 'corrupt.safetensors');
  writeFileSync(corrupt, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0x7b]));
  const cases: [string[], number, RegExp][] = [
    [['eval'], 2, /--model FILE is required/],
    [['eval', '--model', join(dir, 'none.safetensors')], 1, /cannot read the file/],
    [['eval', '--model', corrupt], 1, /header is not valid JSON/],
    [['eval', '--model', model, '--env', 'MountainCarContinuous-v0'], 1, /acts in 1 dimensions|reads 3 observation values, 'MountainCarContinuous-v0' gives 2/],
    [['eval', '--model', model, '--episodes', '0'], 2, /--episodes must be a positive integer, got '0'/],
  ];
  for (const [args, status, re] of cases) {
    const r = softac(args);
    assert.match(r.stderr, re);
    assert.ok(r.status === status || (status === 1 && r.status === 2), `${args.join(' ')}: status ${r.status}`);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test.run();
