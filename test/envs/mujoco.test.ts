/**
 * The MuJoCo envs against Gymnasium v4's definitions (half_cheetah_v4.py, hopper_v4.py,
 * walker2d_v4.py, ant_v4.py): observation layouts and reward terms on constructed states,
 * each healthy threshold on both sides, determinism per seed, bit-exact getState/setState,
 * and bad inputs. (That the models' dynamics equal Gymnasium's XML files bit for bit is
 * checked outside the repository, against those files; see the README.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Ant, HalfCheetah, Hopper, loadMujoco, MujocoEnv, type MujocoEnvState, Walker2d } from '../../src/envs/mujoco/index.js';
import { parseExact, stringifyExact } from '../../src/io/checkpoint.js';
import { Rng } from '../../src/nn/rng.js';
import { assertSameBits } from '../helpers/assert.js';

await loadMujoco();

/** The protected hooks, for checking them on constructed states. */
const inside = (env: MujocoEnv) => env as unknown as { observe(out: Float64Array): void; isTerminated(): boolean };

function observe(env: MujocoEnv): number[] {
  const out = new Float64Array(env.observationSpace.shape[0]);
  inside(env).observe(out);
  return Array.from(out);
}

/**
 * Puts the env at the given qpos and qvel (mj_forward'ed), with no warm start; the next
 * step's velocity is measured from qpos[0] (for Ant too: its torso's xpos is qpos[0:3]).
 */
function place(env: MujocoEnv, qpos: number[], qvel: number[]): void {
  env.reset(0);
  const s = env.getState();
  env.setState({ ...s, qpos, qvel, qacc_warmstart: s.qacc_warmstart.map(() => 0), x_position: qpos[0] });
}

const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

const all = [['HalfCheetah-v4', HalfCheetah], ['Hopper-v4', Hopper], ['Walker2d-v4', Walker2d], ['Ant-v4', Ant]] as const;

test('sizes, action bounds (the actuators\' ctrlrange), time limits and step lengths are Gymnasium v4\'s', () => {
  for (const [name, Env, obs, act, dt] of [['HalfCheetah-v4', HalfCheetah, 17, 6, 0.05], ['Hopper-v4', Hopper, 11, 3, 0.008],
    ['Walker2d-v4', Walker2d, 17, 6, 0.008], ['Ant-v4', Ant, 27, 8, 0.05]] as const) {
    const env = new Env();
    assert.is(env.name, name);
    assert.equal(env.observationSpace.shape, [obs], name);
    assert.equal(env.actionSpace, { shape: [act], low: new Array(act).fill(-1), high: new Array(act).fill(1) }, name);
    assert.is(env.maxEpisodeSteps, 1000);
    assert.is(env.dt, dt, name);
    // A step before any reset starts from qpos0, at rest.
    const first = env.step(new Float32Array(act));
    assert.ok(Number.isFinite(first.reward) && Math.abs(first.info!.x_velocity!) < 1, `${name}: first step ${first.reward}`);
    assert.ok(env.reset(0) instanceof Float64Array);
    env.close();
  }
});

test('observation layouts: qpos without x (Ant: without x and y), then qvel; Hopper and Walker2d clip qvel to +-10', () => {
  const cases = [
    [new HalfCheetah(), false, 1], [new Hopper(), true, 1], [new Walker2d(), true, 1], [new Ant(), false, 2],
  ] as const;
  for (const [env, clipped, skip] of cases) {
    const { nq, nv } = env.model;
    // Ant's quaternion is qpos[3..6]; any finite values are a valid observation of it.
    const qpos = range(nq, (i) => 0.01 * (i + 1) + (i === 1 ? 1.2 : 0)), qvel = range(nv, (i) => (i % 2 ? -1 : 1) * (3 * i + 0.5));
    place(env, qpos, qvel);
    const expected = [...qpos.slice(skip), ...qvel.map((v) => (clipped ? Math.min(Math.max(v, -10), 10) : v))];
    assertSameBits(observe(env), expected, env.name);
    env.close();
  }
});

test('HalfCheetah: reward = x velocity - 0.1 sum(a^2), terms in info; never terminates; truncated at step 1000', () => {
  const env = new HalfCheetah();
  place(env, [0.3, 0, 0, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const a = Float32Array.of(0.5, -0.5, 0.25, 1, -1, 0); // sum of squares 2.5625
  const r = env.step(a);
  const x = env.qpos[0]!, v = (x - 0.3) / 0.05;
  assert.equal(r.info, { x_position: x, x_velocity: v, reward_forward: v, reward_ctrl: -(0.1 * 2.5625) });
  assert.is(r.reward, v - 0.1 * 2.5625);
  assert.ok(x > 0.3, `moved forward from 0.3 at 1 m/s, to ${x}`);
  assertSameBits(r.observation, [...env.qpos.slice(1), ...env.qvel], 'observation after the step');
  env.reset(1);
  for (let t = 1; t <= 1000; t++) {
    const s = env.step(new Float32Array(6));
    assert.is(s.truncated, t === 1000, `truncated at step ${t}`);
    assert.not.ok(s.terminated);
  }
  env.close();
});

test('Hopper, Walker2d, Ant: reward = (x velocity + 1) - w sum(a^2), the healthy reward paid on every step, the last unhealthy one too', () => {
  const hopper = new Hopper(), walker = new Walker2d(), ant = new Ant();
  const cases = [
    [hopper, [0.2, 1.25, 0, 0, 0, 0], [0.5, 0, 0, 0, 0, 0], Float32Array.of(0.5, -1, 0.2), 0.001 * 1.29, 0.008],
    [walker, [0.2, 1.25, 0, 0, 0, 0, 0, 0, 0], [0.5, 0, 0, 0, 0, 0, 0, 0, 0], Float32Array.of(0.5, -1, 0.2, 0, 0, 1), 0.001 * 2.29, 0.008],
    [ant, [0.2, 0, 0.6, 1, 0, 0, 0, 0, 1, 0, -1, 0, -1, 0, 1], [0.5, ...new Array(13).fill(0)], Float32Array.of(0.5, -1, 0.2, 0, 0, 1, 0, 0), 0.5 * 2.29, 0.05],
  ] as const;
  for (const [env, qpos, qvel, a, ctrl, dt] of cases) {
    place(env, [...qpos], [...qvel]);
    const torso = 3 * env.bodyId('torso');
    // Ant's x is the torso body's position (get_body_com), which mj_forward has set to qpos[0].
    const x0 = env instanceof Ant ? env.xpos[torso]! : env.qpos[0]!;
    assert.is(x0, 0.2);
    const r = env.step(a);
    const x = env instanceof Ant ? env.xpos[torso]! : env.qpos[0]!, v = (x - 0.2) / dt;
    const info = r.info!;
    assert.is(info.x_position, x, env.name);
    assert.is(info.reward_forward, v, env.name);
    assert.ok(Math.abs(info.reward_ctrl! + ctrl) < 1e-9, `${env.name}: reward_ctrl ${info.reward_ctrl}, expected ${-ctrl}`);
    assert.is(info.reward_survive, 1);
    assert.is(r.reward, (v + 1) + info.reward_ctrl!, env.name);
    assert.not.ok(r.terminated, env.name);
  }
  // A hopper lying on the floor: the step that finds it unhealthy ends the episode and still pays 1.
  place(hopper, [0, 0.3, 1.4, 0, 0, 0], [0, 0, 0, 0, 0, 0]);
  const r = hopper.step(Float32Array.of(0, 0, 0));
  assert.ok(r.terminated);
  assert.is(r.info!.reward_survive, 1);
  for (const env of [hopper, walker, ant]) env.close();
});

/** Whether the env, placed at qpos/qvel (changed by `edit`), counts as terminated. */
function terminatedAt(env: MujocoEnv, qpos: number[], qvel: number[], edit: (q: number[], v: number[]) => void): boolean {
  const q = [...qpos], v = [...qvel];
  edit(q, v);
  place(env, q, v);
  return inside(env).isTerminated();
}

test('Hopper: unhealthy when any of state[2:] leaves (-100, 100), z <= 0.7 or |angle| >= 0.2; each bound on both sides', () => {
  const env = new Hopper(), q0 = [0, 1.25, 0, 0, 0, 0], v0 = [0, 0, 0, 0, 0, 0], eps = 1e-9;
  const t = (edit: (q: number[], v: number[]) => void) => terminatedAt(env, q0, v0, edit);
  assert.not.ok(t(() => {}), 'qpos0 is healthy');
  assert.ok(t((q) => { q[1] = 0.7; }), 'z = 0.7');
  assert.not.ok(t((q) => { q[1] = 0.7 + eps; }), 'z just above 0.7');
  assert.not.ok(t((q) => { q[1] = 150; }), 'z has no upper bound, and z (state[1]) is not in state[2:]');
  assert.ok(t((q) => { q[2] = 0.2; }), 'angle = 0.2');
  assert.not.ok(t((q) => { q[2] = 0.2 - eps; }), 'angle just below 0.2');
  assert.ok(t((q) => { q[2] = -0.2; }), 'angle = -0.2');
  assert.not.ok(t((q) => { q[2] = -0.2 + eps; }), 'angle just above -0.2');
  assert.ok(t((q) => { q[4] = 100; }), 'a joint angle at 100');
  assert.not.ok(t((q) => { q[0] = 500; }), 'x (state[0]) is not in state[2:]');
  assert.ok(t((_, v) => { v[0] = -100; }), 'a velocity at -100 (qvel is in state[2:], x velocity too)');
  assert.not.ok(t((_, v) => { v[0] = -100 + eps; v[5] = 100 - eps; }), 'velocities just inside (-100, 100)');
  env.close();
});

test('Walker2d: unhealthy when z leaves (0.8, 2.0) or the angle leaves (-1, 1); each bound on both sides', () => {
  const env = new Walker2d(), q0 = [0, 1.25, 0, 0, 0, 0, 0, 0, 0], v0 = new Array(9).fill(0), eps = 1e-9;
  const t = (edit: (q: number[]) => void) => terminatedAt(env, q0, v0, edit);
  assert.not.ok(t(() => {}));
  for (const [z, bad] of [[0.8, true], [0.8 + eps, false], [2, true], [2 - eps, false]] as const) assert.is(t((q) => { q[1] = z; }), bad, `z = ${z}`);
  for (const [a, bad] of [[1, true], [1 - eps, false], [-1, true], [-1 + eps, false]] as const) assert.is(t((q) => { q[2] = a; }), bad, `angle = ${a}`);
  assert.not.ok(t((q) => { q[4] = 1000; }), 'Walker2d has no state range');
  env.close();
});

test('Ant: unhealthy when the state is not finite or z leaves [0.2, 1.0] (closed); each bound on both sides', () => {
  const env = new Ant(), eps = 1e-9;
  const q0 = [0, 0, 0.75, 1, 0, 0, 0, 0, 1, 0, -1, 0, -1, 0, 1], v0 = new Array(14).fill(0);
  const t = (edit: (q: number[]) => void) => terminatedAt(env, q0, v0, edit);
  for (const [z, bad] of [[0.2, false], [0.2 - eps, true], [1, false], [1 + eps, true]] as const) assert.is(t((q) => { q[2] = z; }), bad, `z = ${z}`);
  // setState takes finite numbers only; a non-finite state can still arise in the simulation.
  place(env, q0, v0);
  env.qvel[4] = NaN;
  assert.ok(inside(env).isTerminated(), 'NaN velocity');
  place(env, q0, v0);
  env.qpos[9] = Infinity;
  assert.ok(inside(env).isTerminated(), 'infinite joint angle');
  env.close();
});

test('determinism: the same seed gives the same episode bit for bit; another seed another; reset() continues the stream', () => {
  for (const [, Env] of all) {
    const a = new Env(), b = new Env(), rng = new Rng(3);
    const actions = range(20, () => Float32Array.from(a.actionSpace.low, () => rng.uniformIn(-1, 1)));
    assertSameBits(a.reset(7), b.reset(7), `${a.name} reset(7)`);
    for (const act of actions) {
      const ra = a.step(act), rb = b.step(act);
      assertSameBits(ra.observation, rb.observation, `${a.name} step`);
      assert.ok(Object.is(ra.reward, rb.reward));
    }
    assert.not.equal(Array.from(a.reset(8)), Array.from(b.reset(7)));
    a.reset(7);
    const next = Array.from(a.reset());
    assert.not.equal(next, Array.from(b.reset(7)), 'an unseeded reset draws new noise');
    assert.equal(Array.from(b.reset()), next, 'and the same noise after the same seed');
    a.close();
    b.close();
  }
});

/** Runs the actions, resetting (unseeded) at each episode's end; the observations and rewards. */
function run(env: MujocoEnv, actions: Float32Array[]): number[] {
  const out: number[] = [];
  for (const a of actions) {
    const r = env.step(a);
    out.push(...Array.from(r.observation), r.reward);
    if (r.terminated || r.truncated) out.push(...env.reset());
  }
  return out;
}

test('getState/setState mid-episode: a fresh env continues bit for bit (qpos, qvel, act, warm start, time, steps, reset PRNG, x)', () => {
  for (const [, Env] of all) {
    const env = new Env(), rng = new Rng(11);
    const actions = range(150, () => Float32Array.from(env.actionSpace.low, () => rng.uniformIn(-1, 1)));
    env.reset(5);
    run(env, actions.slice(0, 50));
    const saved = parseExact(stringifyExact(env.getState())) as MujocoEnvState;
    assert.equal(Object.keys(saved).sort(), ['act', 'qacc_warmstart', 'qpos', 'qvel', 'rng', 'steps', 'time', 'x_position']);
    assert.is(saved.qpos.length, env.model.nq);
    const expected = run(env, actions.slice(50));
    const fresh = new Env();
    fresh.setState(saved);
    assertSameBits(run(fresh, actions.slice(50)), expected, `${env.name} after setState`);
    // Without the solver's warm start the continuation is valid physics but not the same
    // bits (here from the first step on, for the two robots touching the floor then).
    if (env instanceof Ant || env instanceof Walker2d) {
      fresh.setState({ ...saved, qacc_warmstart: saved.qacc_warmstart.map(() => 0) });
      assert.not.equal(run(fresh, actions.slice(50)), expected, `${env.name}: the warm start matters`);
    }
    env.close();
    fresh.close();
  }
});

test('bad actions are refused by name, with what was expected and what came', () => {
  const env = new HalfCheetah();
  env.reset(0);
  assert.throws(() => env.step(new Float32Array(5)), /HalfCheetah-v4\.step: argument 'action' must have 6 values \(one per actuator\), got Float32Array\(length 5\)/);
  assert.throws(() => env.step(undefined as unknown as Float32Array), /argument 'action' must have 6 values \(one per actuator\), got undefined/);
  assert.throws(() => env.step(Float32Array.of(0, 0, NaN, 0, 0, 0)), /argument 'action' must hold finite numbers, got NaN at \[2\]/);
  assert.throws(() => env.step([0, 0, 0, 0, Infinity, 0] as unknown as Float32Array), /got Infinity at \[4\]/);
  env.close();
  assert.throws(() => env.step(new Float32Array(6)), /HalfCheetah-v4\.step: the env is closed/);
});

test('bad states are refused field by field', () => {
  const env = new Hopper();
  env.reset(0);
  const good = env.getState();
  const bad: [unknown, RegExp][] = [
    [null, /Hopper-v4\.setState: 'state' must be an object from getState\(\), got null/],
    [[1, 2], /'state' must be an object from getState\(\), got \[1, 2\] \(length 2\)/],
    [{ ...good, qpos: undefined }, /'qpos' must be an array of 6 finite numbers, got undefined/],
    [{ ...good, qpos: [1, 2, 3] }, /'qpos' must be an array of 6 finite numbers, got \[1, 2, 3\] \(length 3\)/],
    [{ ...good, qvel: [0, 0, NaN, 0, 0, 0] }, /'qvel' must be an array of 6 finite numbers, got \[0, 0, NaN, 0, 0, 0\]/],
    [{ ...good, act: [0] }, /'act' must be an array of 0 finite numbers/],
    [{ ...good, qacc_warmstart: 'x' }, /'qacc_warmstart' must be an array of 6 finite numbers, got string "x"/],
    [{ ...good, time: -1 }, /'time' must be a finite number >= 0, got -1/],
    [{ ...good, steps: 1.5 }, /'steps' must be an integer >= 0, got 1\.5/],
    [{ ...good, rng: [0, 0, 0, 0] }, /'rng' must be four uint32 words, not all zero, got \[0, 0, 0, 0\]/],
    [{ ...good, rng: [1, 2, 3] }, /'rng' must be four uint32 words/],
    [{ ...good, x_position: '1' }, /'x_position' must be a finite number, got string "1"/],
  ];
  for (const [s, message] of bad) assert.throws(() => env.setState(s), message);
  env.setState(good);
  env.close();
});

test.run();
