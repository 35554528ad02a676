/**
 * MujocoEnv for a user's own robot: its options and their errors, MuJoCo's own message for
 * a malformed model, instability that stops the episode, the wasm heap over many episodes,
 * and the 'mujoco' package missing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { runSync } from '../helpers/spawn.js';

import { HalfCheetah, loadMujoco, MujocoEnv, type MujocoEnvOptions } from '../../src/envs/mujoco/index.js';
import { referenceKernels, tryLoadNative } from '../../src/kernels/index.js';
import { Trainer } from '../../src/train/loop.js';

const mj = await loadMujoco();

/** A box on a rail, pushed by a motor of the given gear. */
const boxXml = (gear = 1, extra = '') => `<mujoco>${extra}<worldbody><body>
  <joint name="x" type="slide" axis="1 0 0" damping="1"/><geom type="box" size=".1 .1 .1" mass="1"/>
</body></worldbody><actuator><motor joint="x" gear="${gear}" ctrlrange="-1 1"/></actuator></mujoco>`;

class Box extends MujocoEnv {
  constructor(options: Partial<MujocoEnvOptions> = {}) {
    super({ name: 'Box', xml: boxXml(), frameSkip: 2, observationSize: 2, ...options });
  }

  protected observe(out: Float64Array): void {
    out[0] = this.qpos[0]!;
    out[1] = this.qvel[0]!;
  }

  protected reward(): number {
    return -Math.abs(this.qpos[0]! - 1);
  }
}

test('a box on a rail: bounds from ctrlrange, the default time limit, dt, no reset noise unless asked', () => {
  const env = new Box();
  assert.equal(env.actionSpace, { shape: [1], low: [-1], high: [1] });
  assert.is(env.maxEpisodeSteps, 1000);
  assert.is(env.dt, 0.004);
  assert.equal(Array.from(env.reset(3)), [0, 0]);
  const r = env.step(Float32Array.of(1));
  assert.ok(r.observation[0]! > 0 && r.observation[1]! > 0, `pushed forward: ${Array.from(r.observation)}`);
  assert.equal(r.info, {});
  const noisy = new Box({ resetNoise: { scale: 0.5, qvel: 'normal' }, maxEpisodeSteps: 3 });
  assert.not.equal(Array.from(noisy.reset(3)), [0, 0]);
  for (let t = 1; t <= 3; t++) assert.is(noisy.step(Float32Array.of(0)).truncated, t === 3);
  env.close();
  noisy.close();
});

test('bad options are refused by name, with what was expected and what came', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ frameSkip: 0 }, /MujocoEnv: option 'frameSkip' must be an integer >= 1, got 0/],
    [{ observationSize: 2.5 }, /option 'observationSize' must be an integer >= 1, got 2\.5/],
    [{ maxEpisodeSteps: -1 }, /option 'maxEpisodeSteps' must be an integer >= 1, got -1/],
    [{ name: '' }, /option 'name' must be a non-empty string, got string ""/],
    [{ frameskip: 2 }, /MujocoEnv: unknown option 'frameskip' \(options: name, xml, file, frameSkip, observationSize, maxEpisodeSteps, resetNoise\)/],
    [{ xml: undefined }, /MujocoEnv 'Box': give the model as exactly one of 'xml' \(MJCF text\) and 'file' \(a path\)/],
    [{ file: 'robot.xml' }, /exactly one of 'xml' \(MJCF text\) and 'file'/],
    [{ xml: 42 }, /option 'xml' must be MJCF text \(a string\), got 42/],
    [{ resetNoise: { scale: 0.1, qvel: 'gaussian' } }, /option 'resetNoise' must be \{ scale: a finite number >= 0, qvel: 'uniform' or 'normal' \}, got Object object/],
  ];
  for (const [options, message] of cases) assert.throws(() => new Box(options as Partial<MujocoEnvOptions>), message);
});

test("a malformed model gives MuJoCo's own message, naming the env or the file", () => {
  assert.throws(() => new Box({ xml: '<mujoco><worldbody><bogus/></worldbody></mujoco>' }),
    /MuJoCo could not load the model of 'Box': Loading error: XML Error: Schema violation: unrecognized element\nElement 'bogus', line 1/);
  assert.throws(() => new Box({ xml: '<mujoco><worldbody>' }), /MuJoCo could not load the model of 'Box': Loading error: XML parse error/);
  const dir = mkdtempSync(join(tmpdir(), 'softac-mjcf-'));
  const file = join(dir, 'robot.xml');
  writeFileSync(file, '<mujoco>\n  <worldbody>\n    <geom type="sphere" size="-1"/>\n  </worldbody>\n</mujoco>\n');
  let message = '';
  try {
    new Box({ xml: undefined, file });
  } catch (e) {
    message = (e as Error).message;
  }
  assert.ok(message.startsWith(`MuJoCo could not load the model '${file}': Loading error: Error: size 0 must be positive in geom`), message);
  assert.match(message, /line 3/);
  assert.throws(() => new Box({ xml: undefined, file: join(dir, 'missing.xml') }), /MujocoEnv 'Box': cannot read the MJCF file '.*missing\.xml': ENOENT/);
  assert.throws(() => new Box({ xml: '<mujoco><worldbody><body><joint type="slide"/><geom size=".1"/></body></worldbody></mujoco>' }),
    /MujocoEnv 'Box': the model has no actuators, so there is nothing to act with/);
  assert.throws(() => new Box({ xml: boxXml().replace(' ctrlrange="-1 1"', '') }), /MujocoEnv 'Box': actuator 0 has no control range; SAC needs bounded actions/);
});

test("an unstable simulation (NaN, Inf or huge accelerations) stops the episode with MuJoCo's warning, also in training", () => {
  // A motor of gear 1e12 on a 1 kg box: the first push is an acceleration of 1e12 > mjMAXVAL.
  class Rocket extends Box {
    constructor(flags = '') {
      super({ name: 'Rocket', xml: boxXml(1e12, flags) });
    }
  }
  for (const flags of ['', '<option><flag autoreset="disable"/></option>']) {
    const env = new Rocket(flags);
    env.reset(0);
    env.step(Float32Array.of(0));
    env.step(Float32Array.of(0));
    assert.throws(() => env.step(Float32Array.of(1)),
      /Rocket\.step: MuJoCo warned in step 3 of the episode: Nan, Inf or huge value in QACC at DOF 0\. The simulation is unstable\. \(mjWARN_BADQACC\); the state is lost/);
    env.close();
  }
  const k = tryLoadNative() ?? referenceKernels;
  const tr = new Trainer({ k, makeEnv: () => new Rocket(), envName: 'Rocket', options: { hidden: [8], batchSize: 8, stepsPerEpoch: 50, epochs: 1, startSteps: 50, updateAfter: 50 } });
  assert.throws(() => tr.run(), /env 'Rocket' step \d+: step\(\) threw: Rocket\.step: MuJoCo warned in step \d+ of the episode: .*mjWARN_BADQACC/);
});

/**
 * Where a 1 MB block lands: at the top of the heap once the small free chunks are used, so
 * a leak of a few dozen bytes per step moves it (dlmalloc carves small leaks from the top).
 */
function heapTop(): number {
  const b = new mj.DoubleBuffer(131072);
  const p = b.GetPointer();
  b.delete();
  return p;
}

test('no memory growth: 10,000 reset/step cycles (and 1,000 of HalfCheetah, and 20 envs made and closed) leave the wasm heap as it was', () => {
  const box = new Box(), cheetah = new HalfCheetah(), a = Float32Array.of(0.5), a6 = new Float32Array(6).fill(0.5);
  // A fresh view each time: the module's memory is a growable SharedArrayBuffer, and an old
  // view keeps the old length.
  const heapSize = () => box.data.qpos.buffer.byteLength;
  const cycles = (n: number) => {
    for (let i = 0; i < n; i++) {
      box.reset(i);
      box.step(a); // an episode's first step: it reads MuJoCo's warning counters
      cheetah.reset(i);
      if (i % 10 === 0) cheetah.step(a6);
      if (i % 100 === 0) box.setState(box.getState());
    }
  };
  cycles(200);
  for (let i = 0; i < 2; i++) new HalfCheetah().close();
  const size = heapSize(), top = heapTop();
  cycles(10_000);
  assert.is(heapSize(), size, 'heap size after 10,000 cycles');
  assert.is(heapTop(), top, 'a leak of even one small object per step would have moved the heap top');
  for (let i = 0; i < 20; i++) new HalfCheetah().close();
  assert.is(heapSize(), size, 'heap size after 20 envs made and closed (each holds a 13 MB arena)');
  box.close();
  cheetah.close();
  assert.throws(() => box.reset(), /Box\.reset: the env is closed/);
  box.close();
});

test("without the 'mujoco' package, loading MuJoCo says how to install it (the classic envs still work); constructing a MuJoCo env before loading says to load", () => {
  // A resolve hook that makes 'mujoco' unfindable, as on a machine where it is not installed.
  const hook = `export async function resolve(s, c, next) { if (s === 'mujoco') { const e = new Error("Cannot find package 'mujoco' imported from softac"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; } return next(s, c); }`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  const url = (path: string) => JSON.stringify(pathToFileURL(fileURLToPath(new URL(path, import.meta.url))).href);
  const script = `const { Hopper, loadMujoco } = await import(${url('../../src/envs/mujoco/index.js')});
    try { new Hopper(); } catch (e) { console.log(e.message); }
    await loadMujoco().then(() => console.log('loaded'), (e) => console.log(e.message));
    console.log((await import(${url('../../src/envs/index.js')})).makeBuiltinEnv('Pendulum-v1').observationSpace.shape[0]);`;
  // runSync leaves out uvu's FORCE_COLOR, which would colour the printed number.
  const r = runSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, '--input-type=module', '-e', script], { timeoutMs: 30_000 });
  assert.is(r.status, 0, r.stderr);
  const said = `the child printed:\n${r.stdout}${r.stderr}`;
  assert.match(r.stdout, /^MujocoEnv 'Hopper-v4': MuJoCo is not loaded yet; await loadMujoco\(\) \(or make the env with await makeEnv\(name\)\) before constructing a MuJoCo env\n/, said);
  assert.match(r.stdout, /the MuJoCo environments need the package 'mujoco' \(MuJoCo's official WebAssembly build\), which is not installed; install it with: npm install mujoco\n3\n/, said);
});

test.run();
