/**
 * Pendulum-v1 and MountainCarContinuous-v0 against values worked out from Gymnasium's
 * equations (pendulum.py, continuous_mountain_car.py), step by step in float64.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { angleNormalize, makeBuiltinEnv, MountainCarContinuous, Pendulum } from '../../src/envs/index.js';
import { assertClose } from '../helpers/assert.js';

test('Pendulum: one step from th = 1, th_dot = 0.5 with torque 1.5', () => {
  const env = new Pendulum();
  env.reset(0);
  env.state = [1, 0.5];
  const r = env.step(Float32Array.of(1.5));
  // cost = th^2 + 0.1 th_dot^2 + 0.001 u^2 = 1 + 0.025 + 0.00225
  assertClose(r.reward, -1.02725, { rtol: 1e-12 });
  // th_dot' = 0.5 + (3g/2l sin 1 + 3/(ml^2) 1.5) dt; th' = 1 + th_dot' dt
  assertClose(env.state, [1.0678051619302962, 1.3561032386059226], { rtol: 1e-12 });
  assertClose(r.observation, [0.48204838409011624, 0.8761445973103457, 1.3561032386059226], { rtol: 1e-6 });
  assert.ok(r.observation instanceof Float32Array);
  assert.not.ok(r.terminated);
  assert.not.ok(r.truncated);
});

test('Pendulum: torque clipped to 2 (also in the cost), speed clipped to 8', () => {
  const env = new Pendulum();
  env.state = [0, 7.9];
  const r = env.step(Float32Array.of(5));
  assertClose(r.reward, -(0.1 * 7.9 ** 2 + 0.001 * 4), { rtol: 1e-12 });
  assert.is(env.state[1], 8);
});

test('Pendulum: angles normalise into [-pi, pi) as Python floor modulo does', () => {
  assertClose(angleNormalize(4), 4 - 2 * Math.PI, { rtol: 1e-14 });
  assertClose(angleNormalize(-4), -4 + 2 * Math.PI, { rtol: 1e-14 });
  assertClose(angleNormalize(Math.PI), -Math.PI, { rtol: 1e-14 });
  assertClose(angleNormalize(7 * Math.PI + 0.25), -Math.PI + 0.25, { rtol: 1e-12 });
});

test('Pendulum: resets uniformly in [-pi, pi] x [-1, 1], seeded; truncates after 200 steps', () => {
  const env = new Pendulum();
  let lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
  for (let s = 0; s < 500; s++) {
    env.reset(s);
    lo = lo.map((v, i) => Math.min(v, env.state[i]!));
    hi = hi.map((v, i) => Math.max(v, env.state[i]!));
  }
  assert.ok(lo[0]! >= -Math.PI && lo[0]! < -3 && hi[0]! <= Math.PI && hi[0]! > 3, `th in [${lo[0]}, ${hi[0]}]`);
  assert.ok(lo[1]! >= -1 && lo[1]! < -0.95 && hi[1]! <= 1 && hi[1]! > 0.95, `th_dot in [${lo[1]}, ${hi[1]}]`);
  assert.equal(Array.from(new Pendulum().reset(7)), Array.from(new Pendulum().reset(7)));
  assert.not.equal(Array.from(new Pendulum().reset(7)), Array.from(new Pendulum().reset(8)));
  env.reset(1);
  for (let t = 1; t <= 200; t++) {
    const r = env.step(Float32Array.of(0));
    assert.is(r.truncated, t === 200, `truncated at step ${t}`);
    assert.not.ok(r.terminated);
  }
});

test('MountainCarContinuous: one step from the valley with full throttle', () => {
  const env = new MountainCarContinuous();
  env.state = [-0.5, 0];
  const r = env.step(Float32Array.of(1));
  // v' = v + a power - 0.0025 cos(3 x); x' = x + v'
  assertClose(env.state, [-0.49867684300416926, 0.0013231569958307428], { rtol: 1e-12 });
  assertClose(r.reward, -0.1, { rtol: 1e-12 });
  assert.not.ok(r.terminated);
});

test('MountainCarContinuous: reaching the flag terminates with +100 minus the action cost', () => {
  const env = new MountainCarContinuous();
  env.state = [0.449, 0.02];
  const r = env.step(Float32Array.of(0.5));
  assertClose(env.state, [0.469195167831884, 0.02019516783188396], { rtol: 1e-12 });
  assert.ok(r.terminated);
  assert.not.ok(r.truncated);
  assertClose(r.reward, 100 - 0.1 * 0.25, { rtol: 1e-12 });
});

test('MountainCarContinuous: the left wall stops the car; out-of-range actions are clipped but charged', () => {
  const env = new MountainCarContinuous();
  env.state = [-1.19, -0.05];
  const r = env.step(Float32Array.of(-2));
  assert.equal(env.state, [-1.2, 0]);
  assertClose(r.reward, -0.4, { rtol: 1e-12 });
});

test('MountainCarContinuous: resets in [-0.6, -0.4] at rest, truncates after 999 steps', () => {
  const env = new MountainCarContinuous();
  for (let s = 0; s < 200; s++) {
    const o = env.reset(s);
    assert.ok(o[0]! >= -0.6 && o[0]! <= -0.4 && o[1] === 0, `reset ${Array.from(o)}`);
  }
  env.reset(3);
  let last = env.step(Float32Array.of(0));
  for (let t = 2; t <= 999; t++) last = env.step(Float32Array.of(0));
  assert.ok(last.truncated);
});

test('built-in environments by name, and an unknown name listed against them', () => {
  assert.ok(makeBuiltinEnv('Pendulum-v1') instanceof Pendulum);
  assert.ok(makeBuiltinEnv('MountainCarContinuous-v0') instanceof MountainCarContinuous);
  assert.throws(() => makeBuiltinEnv('CartPole-v1'), /unknown environment 'CartPole-v1' \(built in: Pendulum-v1, MountainCarContinuous-v0/);
});

test.run();
