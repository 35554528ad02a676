/**
 * Recording an episode: it is the test episode of its seed (the same steps, rewards and
 * return as testAgent's), recording leaves the env's state bit-identical, the frames are
 * the poses MuJoCo's kinematics give for each step's state, and an env a replay cannot
 * draw is named.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { type Env, makeEnv, MujocoEnv, Pendulum } from '../../src/envs/index.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { checkDrawable, type MujocoScene, recordEpisode } from '../../src/replay/record.js';
import { SAC } from '../../src/sac/sac.js';
import { testAgent } from '../../src/train/loop.js';
import { assertClose } from '../helpers/assert.js';

/** A random-weights agent for env, its actor scaled up so the robot moves (an unscaled one soon stands still). */
function agentFor(env: Env, seed = 1): SAC {
  const sac = new SAC(referenceKernels, env.observationSpace.shape[0], env.actionSpace, { hidden: [16, 16] }, seed);
  const pi = sac.params.slice('pi.').data;
  for (let i = 0; i < pi.length; i++) pi[i] = pi[i]! * 3;
  return sac;
}

const mujoco = async (name: string) => (await makeEnv(name)) as MujocoEnv;

test('a recorded episode is the test episode of its seed: the same return and length as testAgent', async () => {
  for (const [name, maxEpLen] of [['HalfCheetah-v4', 60], ['Ant-v4', 60], ['Hopper-v4', 1000], ['Pendulum-v1', 200], ['MountainCarContinuous-v0', 120]] as const) {
    const a = await makeEnv(name), b = await makeEnv(name), agent = agentFor(a);
    const rec = recordEpisode(agent, a, name, maxEpLen, 11);
    const { rets, lens } = testAgent(agent, b, name, 1, maxEpLen, 11);
    assert.is(rec.ret, rets[0], `${name}: return`);
    assert.is(rec.steps, lens[0], `${name}: length`);
    assert.is(rec.rewards.length, rec.steps);
    assert.is(rec.rewards.reduce((s, r) => s + r, 0), rec.ret, `${name}: the rewards sum to the return`);
    for (const env of [a, b]) if (env instanceof MujocoEnv) env.close();
  }
});

test('recording leaves the env bit-identical: the same state as an unrecorded run after every step', async () => {
  for (const name of ['Ant-v4', 'Walker2d-v4']) {
    const recorded = await mujoco(name), plain = await mujoco(name), agent = agentFor(recorded, 2);
    const rec = recordEpisode(agent, recorded, name, 40, 3);
    let o = plain.reset(3);
    const rewards: number[] = [];
    for (let t = 0; t < rec.steps; t++) {
      const r = plain.step(agent.act(o, true));
      rewards.push(r.reward);
      o = r.observation as Float64Array;
    }
    assert.equal(Array.from(rec.rewards), rewards, `${name}: rewards`);
    assert.equal(recorded.getState(), plain.getState(), `${name}: the env's state after the episode`);
    // Even what mj_step left derived (lagging the state): refreshing it in the env's data would change these bits.
    assert.equal(Array.from(recorded.data.xpos as Float64Array), Array.from(plain.data.xpos as Float64Array), `${name}: the derived kinematics too`);
    recorded.close();
    plain.close();
  }
});

test('the frames: one after the reset and one per step, each geom but the floor, in the right view', async () => {
  const counts: Record<string, [number, 'side' | 'oblique']> = { 'HalfCheetah-v4': [8, 'side'], 'Hopper-v4': [4, 'side'], 'Walker2d-v4': [7, 'side'], 'Ant-v4': [13, 'oblique'] };
  for (const [name, [geoms, view]] of Object.entries(counts)) {
    const env = await mujoco(name), rec = recordEpisode(agentFor(env), env, name, 30, 0);
    const s = rec.scene as MujocoScene;
    assert.is(s.kind, 'mujoco');
    assert.is(s.view, view, `${name}: view`);
    assert.is(s.geoms.length, geoms, `${name}: drawn geoms`);
    assert.not.ok(s.geoms.some((g) => g.name === 'floor'), `${name}: the floor is not a body`);
    assert.is(s.floorZ, 0);
    assert.is(s.root, 'torso');
    assert.is(s.poses.length, (rec.steps + 1) * geoms * 7, `${name}: poses`);
    assert.is(s.rootPos.length, (rec.steps + 1) * 3, `${name}: torso positions`);
    assert.equal(s.skipped, []);
    assert.equal([rec.fps, rec.realTime], [1 / env.dt, true]);
    env.close();
  }
  const pendulum = new Pendulum(), p = recordEpisode(agentFor(pendulum), pendulum, 'Pendulum-v1', 200, 0);
  assert.is(p.scene.kind === 'pendulum' && p.scene.angle.length, 201);
  assert.equal([p.fps, p.realTime], [20, true], 'Pendulum: dt 0.05 s');
  const car = await makeEnv('MountainCarContinuous-v0'), c = recordEpisode(agentFor(car), car, 'MountainCarContinuous-v0', 50, 0);
  assert.is(c.scene.kind === 'mountain-car' && c.scene.position.length, 51);
  assert.equal([c.fps, c.realTime], [30, false], 'MountainCar: no time step');
});

test("each frame is the kinematics of that step's state, not the lagging poses mj_step leaves", async () => {
  const env = await mujoco('HalfCheetah-v4'), rec = recordEpisode(agentFor(env), env, 'HalfCheetah-v4', 40, 5);
  const s = rec.scene as MujocoScene, x = rec.info.x_position!;
  assert.is(x.length, rec.steps);
  // The torso's frame sits on the x slide: its x is qpos[0], which HalfCheetah reports as x_position.
  for (let k = 1; k <= rec.steps; k++) assert.is(s.rootPos[3 * k], Math.fround(x[k - 1]!), `frame ${k}`);
  assert.equal(Object.keys(rec.info).sort(), ['reward_ctrl', 'reward_forward', 'x_position', 'x_velocity']);
  // The last frame's poses are what mj_kinematics gives from the final state (the env's own lag behind it).
  env.mj.mj_kinematics(env.model, env.data);
  const xpos = env.data.geom_xpos as Float64Array, xmat = env.data.geom_xmat as Float64Array, n = s.geoms.length, last = rec.steps * n * 7;
  for (let i = 0; i < n; i++) {
    const g = i + 1, o = last + 7 * i; // geom 0 is the floor
    assertClose(Array.from(s.poses.subarray(o, o + 3)), Array.from(xpos.subarray(3 * g, 3 * g + 3)), { atol: 1e-6, rtol: 1e-6, label: `geom ${g} position` });
    const [w, a, b, c] = Array.from(s.poses.subarray(o + 3, o + 7)) as [number, number, number, number];
    const fromQuat = [1 - 2 * (b * b + c * c), 2 * (a * b - w * c), 2 * (a * c + w * b), 2 * (a * b + w * c), 1 - 2 * (a * a + c * c), 2 * (b * c - w * a),
      2 * (a * c - w * b), 2 * (b * c + w * a), 1 - 2 * (a * a + b * b)];
    assertClose(fromQuat, Array.from(xmat.subarray(9 * g, 9 * g + 9)), { atol: 1e-6, label: `geom ${g} orientation` });
  }
  env.close();
});

test('limbs: the torso is limb 0, each leg its own limb, its segments numbered down the leg', async () => {
  const env = await mujoco('HalfCheetah-v4'), s = recordEpisode(agentFor(env), env, 'HalfCheetah-v4', 1, 0).scene as MujocoScene;
  assert.equal(s.geoms.map((g) => `${g.name}:${g.limb}.${g.level}`), ['torso:0.0', 'head:0.0', 'bthigh:1.1', 'bshin:1.2', 'bfoot:1.3', 'fthigh:2.1', 'fshin:2.2', 'ffoot:2.3']);
  env.close();
});

test('an env a replay cannot draw is named, with what it can draw', () => {
  class Custom {
    observationSpace = { shape: [1] as [number] };
    actionSpace = { shape: [1] as [number], low: [-1], high: [1] };
    reset() { return [0]; }
    step() { return { observation: [0], reward: 0, terminated: false, truncated: false }; }
  }
  assert.throws(() => checkDrawable(new Custom(), './my-env.js'),
    /replay: cannot draw the env '.\/my-env.js': a replay draws the MuJoCo envs \(HalfCheetah-v4, .*\), Pendulum-v1 and MountainCarContinuous-v0, got Custom/);
});

test.run();
