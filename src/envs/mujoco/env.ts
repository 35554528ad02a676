/**
 * MujocoEnv: an Env over a MuJoCo model, as Gymnasium's MujocoEnv (mujoco_env.py) runs one:
 * each step writes the action into ctrl and calls mj_step frameSkip times; reset is
 * mj_resetData, the start state (qpos0 plus optional noise) and mj_forward. A subclass says
 * what the task is: observe(), reward(), and optionally isTerminated() and resetModel().
 * The four Gymnasium v4 envs are subclasses, and so is a user's robot.
 *
 * Two traps, both Gymnasium's too. After a step, qpos and qvel are the new state, but what
 * MuJoCo derives from them (xpos and the other kinematics) was computed inside the last
 * mj_step before its final update, so it lags (by a timestep with Euler; with RK4 it is the
 * last stage's); mj_kinematics refreshes it. And anything a subclass keeps from one step
 * to the next belongs in getState()/setState() (override both, calling super), or a
 * resumed run will not be bit-identical.
 *
 * The MuJoCo module must be loaded first (await loadMujoco(); makeEnv and loadEnvFactory
 * do it), then construction is synchronous. MuJoCo's model and data live on the wasm
 * heap, which no garbage collector sees: close() frees them (a finalizer does it too once
 * the env is unreachable, but close() is prompt).
 */
import { readFileSync } from 'node:fs';

import type { MjData, MjModel, MjWarningStatVec } from 'mujoco';

import { describe } from '../../check/is.js';
import { Rng } from '../../nn/rng.js';
import type { BoxSpace, Env, Space, StepResult } from '../types.js';
import { compileMjcf, loadedMujoco, type Mujoco } from './loader.js';

export interface MujocoEnvOptions {
  /** The env's name, in its error messages. */
  name: string;
  /** The model as MJCF text; or give `file`. */
  xml?: string;
  /** A path to an MJCF file (a single file: no includes or meshes); or give `xml`. */
  file?: string;
  /** MuJoCo steps per env step (Gymnasium's frame_skip). */
  frameSkip: number;
  /** How many numbers observe() writes. */
  observationSize: number;
  /** Steps before `truncated` (Gymnasium's TimeLimit); default 1000. */
  maxEpisodeSteps?: number;
  /**
   * The default resetModel()'s noise (Gymnasium's reset_noise_scale): qpos0 plus U(-scale,
   * scale) per coordinate, and a velocity of U(-scale, scale) or scale * N(0, 1) per degree of
   * freedom. Without it an episode starts at qpos0 at rest.
   */
  resetNoise?: { scale: number; qvel: 'uniform' | 'normal' };
}

/** getState()'s JSON: MuJoCo's state in its own order and names, the step count and the reset PRNG. */
export interface MujocoEnvState {
  time: number;
  qpos: number[];
  qvel: number[];
  act: number[];
  /**
   * The constraint solver starts from the last step's accelerations, so without them a
   * restored env would take a different (if equally valid) next step.
   */
  qacc_warmstart: number[];
  steps: number;
  rng: [number, number, number, number];
}

/** MuJoCo's warnings that mean the simulation blew up (mjtWarning: NaN, Inf or huge values). */
const BAD_STATE_WARNINGS: readonly [number, string][] = [[4, 'mjWARN_BADQPOS'], [5, 'mjWARN_BADQVEL'], [6, 'mjWARN_BADQACC']];

const finalizer = new FinalizationRegistry<{ model: MjModel; data: MjData }>(({ model, data }) => {
  data.delete();
  model.delete();
});

export abstract class MujocoEnv implements Env {
  readonly name: string;
  readonly observationSpace: Space;
  /** The actuators' control ranges (actuator_ctrlrange), as Gymnasium's action space. */
  readonly actionSpace: BoxSpace;
  readonly maxEpisodeSteps: number;
  readonly frameSkip: number;
  /** Seconds per env step: timestep x frameSkip (Gymnasium's dt). */
  readonly dt: number;
  readonly mj: Mujoco;
  readonly model: MjModel;
  readonly data: MjData;
  /** The reset noise's PRNG, reseeded by reset(seed). */
  protected rng = new Rng(0);
  /** Env steps since the last reset. */
  protected steps = 0;
  private readonly resetNoise: MujocoEnvOptions['resetNoise'];
  /** MjData's own warning counters (a handle on its member vector: never delete() it). */
  private readonly warnings: MjWarningStatVec;
  /** A step ending later than this (seconds of sim time) cannot have been reset by MuJoCo. */
  private readonly resetBound: number;
  private closed = false;
  // Views into the wasm heap, taken again if the heap's growth detached them (length 0).
  // (Over the shared memory of the current build an old view stays valid, but a build on
  // a plain ArrayBuffer detaches its views on growth.)
  private qposView: Float64Array;
  private qvelView: Float64Array;
  private ctrlView: Float64Array;
  private xposView: Float64Array;

  constructor(options: MujocoEnvOptions) {
    const o = checkOptions(options);
    this.name = o.name;
    this.mj = loadedMujoco(`MujocoEnv '${o.name}'`);
    let xml = o.xml, source = `of '${o.name}'`;
    if (o.file !== undefined) {
      source = `'${o.file}'`;
      try {
        xml = readFileSync(o.file, 'utf8');
      } catch (e) {
        throw new Error(`MujocoEnv '${o.name}': cannot read the MJCF file '${o.file}': ${(e as Error).message}`, { cause: e });
      }
    }
    this.model = compileMjcf(this.mj, xml!, source);
    try {
      this.data = new this.mj.MjData(this.model);
    } catch (e) {
      this.model.delete();
      throw e;
    }
    finalizer.register(this, { model: this.model, data: this.data }, this);
    const nu = this.model.nu;
    if (nu === 0) {
      this.close();
      throw new RangeError(`MujocoEnv '${o.name}': the model has no actuators, so there is nothing to act with`);
    }
    const range = this.model.actuator_ctrlrange as Float64Array, limited = this.model.actuator_ctrllimited as Uint8Array;
    const low: number[] = [], high: number[] = [];
    for (let i = 0; i < nu; i++) {
      if (!limited[i]) {
        this.close();
        throw new RangeError(`MujocoEnv '${o.name}': actuator ${i} has no control range; SAC needs bounded actions (give it ctrlrange="lo hi")`);
      }
      low.push(range[2 * i]!);
      high.push(range[2 * i + 1]!);
    }
    this.actionSpace = { shape: [nu], low, high };
    this.observationSpace = { shape: [o.observationSize] };
    this.maxEpisodeSteps = o.maxEpisodeSteps ?? 1000;
    this.frameSkip = o.frameSkip;
    this.dt = this.model.opt.timestep * o.frameSkip;
    this.resetNoise = o.resetNoise;
    this.warnings = this.data.warning;
    // With the model's autoreset disabled (<flag autoreset="disable"/>) nothing resets, so
    // the counters are read after every step.
    const autoreset = (this.model.opt.disableflags & this.mj.mjtDisableBit.mjDSBL_AUTORESET.value) === 0;
    this.resetBound = autoreset ? this.dt * (1 + 1e-9) : Infinity;
    this.qposView = this.data.qpos;
    this.qvelView = this.data.qvel;
    this.ctrlView = this.data.ctrl;
    this.xposView = this.data.xpos;
    this.mj.mj_forward(this.model, this.data);
  }

  /** Joint positions (nq), a live view into MuJoCo's data. */
  get qpos(): Float64Array {
    if (this.qposView.length === 0) this.qposView = this.data.qpos;
    return this.qposView;
  }

  /** Joint velocities (nv), a live view. */
  get qvel(): Float64Array {
    if (this.qvelView.length === 0) this.qvelView = this.data.qvel;
    return this.qvelView;
  }

  /** Body frame positions (nbody x 3, world first), a live view. */
  get xpos(): Float64Array {
    if (this.xposView.length === 0) this.xposView = this.data.xpos;
    return this.xposView;
  }

  private get ctrl(): Float64Array {
    if (this.ctrlView.length === 0) this.ctrlView = this.data.ctrl;
    return this.ctrlView;
  }

  /** A body's index (into xpos rows, say) by its name in the MJCF. */
  bodyId(name: string): number {
    const id = this.mj.mj_name2id(this.model, this.mj.mjtObj.mjOBJ_BODY.value, name);
    if (id < 0) throw new RangeError(`${this.name}: the model has no body named '${name}'`);
    return id;
  }

  /** Writes the observation (observationSize numbers) from the current state. */
  protected abstract observe(out: Float64Array): void;

  /** The step's reward, after the simulation; may put its terms in `info`. */
  protected abstract reward(action: Float32Array, info: Record<string, number>): number;

  /** Whether the episode has truly ended (a fall); never, unless a subclass says so. */
  protected isTerminated(): boolean {
    return false;
  }

  /** Sets the start state after mj_resetData (qpos0, at rest): adds the resetNoise option's noise. */
  protected resetModel(): void {
    const noise = this.resetNoise;
    if (!noise) return;
    const { scale } = noise, qpos = this.qpos, qvel = this.qvel;
    // Gymnasium draws every qpos noise, then every qvel noise.
    for (let i = 0; i < qpos.length; i++) qpos[i] = qpos[i]! + this.rng.uniformIn(-scale, scale);
    for (let i = 0; i < qvel.length; i++) qvel[i] = qvel[i]! + (noise.qvel === 'normal' ? scale * this.rng.normal() : this.rng.uniformIn(-scale, scale));
  }

  reset(seed?: number): Float64Array {
    this.checkOpen('reset');
    if (seed !== undefined) this.rng = new Rng(seed);
    this.mj.mj_resetData(this.model, this.data);
    this.resetModel();
    this.mj.mj_forward(this.model, this.data);
    this.steps = 0;
    return this.observation();
  }

  step(action: Float32Array): StepResult {
    this.checkOpen('step');
    const nu = this.actionSpace.shape[0];
    if (action?.length !== nu) throw new RangeError(`${this.name}.step: argument 'action' must have ${nu} values (one per actuator), got ${describe(action)}`);
    for (let i = 0; i < nu; i++) {
      if (!Number.isFinite(action[i])) throw new RangeError(`${this.name}.step: argument 'action' must hold finite numbers, got ${describe(action[i])} at [${i}]`);
    }
    // As Gymnasium, the action goes in unclipped: MuJoCo clamps ctrl to ctrlrange itself.
    const ctrl = this.ctrl;
    for (let i = 0; i < nu; i++) ctrl[i] = action[i]!;
    for (let k = 0; k < this.frameSkip; k++) this.mj.mj_step(this.model, this.data);
    this.checkWarnings();
    this.steps++;
    const info: Record<string, number> = {};
    const reward = this.reward(action, info);
    const terminated = this.isTerminated();
    return { observation: this.observation(), reward, terminated, truncated: this.steps >= this.maxEpisodeSteps, info };
  }

  /**
   * A fresh array each time: the Trainer keeps the last observation (its `o`) while the
   * next step's comes back, and stores both into the replay buffer, so one reused buffer
   * would make o and o2 the same numbers.
   */
  private observation(): Float64Array {
    const out = new Float64Array(this.observationSpace.shape[0]);
    this.observe(out);
    return out;
  }

  /**
   * On NaN, Inf or huge values MuJoCo warns, resets the data to qpos0 and carries on, which
   * would quietly teach the agent from a teleported robot; here it stops the episode.
   *
   * Reading the counters costs three calls into the module that copy a struct each (about
   * 4 us here, over a tenth of a 34 us HalfCheetah step), so they are read only when the
   * step may have reset: a reset sets time to 0, so a step that ends after frameSkip
   * timesteps of sim time did not. That leaves one read per episode, in its first step.
   * (mj_resetData clears the counters, so they count this episode only.)
   */
  private checkWarnings(): void {
    if (this.data.time > this.resetBound) return;
    for (const [index, name] of BAD_STATE_WARNINGS) {
      const w = this.warnings.get(index)!; // a copy: deleted below
      const count = w.number, lastinfo = w.lastinfo;
      w.delete();
      if (count > 0) {
        throw new Error(`${this.name}.step: MuJoCo warned in step ${this.steps + 1} of the episode: `
          + `${this.mj.mju_warningText(index, lastinfo)} (${name}); the state is lost (reset to qpos0, or not finite), so the episode cannot go on`);
      }
    }
  }

  /** The state to continue from mid-episode, as plain JSON (see MujocoEnvState). */
  getState(): MujocoEnvState {
    this.checkOpen('getState');
    return {
      time: this.data.time, qpos: Array.from(this.qpos), qvel: Array.from(this.qvel), act: Array.from(this.data.act as Float64Array),
      qacc_warmstart: Array.from(this.data.qacc_warmstart as Float64Array), steps: this.steps, rng: this.rng.state(),
    };
  }

  /** Restores what getState() returned, checked field by field; the next step is bit-identical. */
  setState(saved: unknown): void {
    this.checkOpen('setState');
    const m = this.model;
    const fail = (field: string, expected: string, got: unknown): never => {
      throw new RangeError(`${this.name}.setState: '${field}' must be ${expected}, got ${Array.isArray(got) ? `[${got.slice(0, 8).map(describe).join(', ')}${got.length > 8 ? ', ...' : ''}] (length ${got.length})` : describe(got)}`);
    };
    if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) fail('state', 'an object from getState()', saved);
    const s = saved as Record<string, unknown>;
    const numbers = (field: string, n: number): number[] => {
      const v = s[field];
      if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) fail(field, `an array of ${n} finite numbers`, v);
      return v as number[];
    };
    const qpos = numbers('qpos', m.nq), qvel = numbers('qvel', m.nv), act = numbers('act', m.na), warm = numbers('qacc_warmstart', m.nv);
    if (typeof s.time !== 'number' || !Number.isFinite(s.time) || s.time < 0) fail('time', 'a finite number >= 0', s.time);
    if (!Number.isSafeInteger(s.steps) || (s.steps as number) < 0) fail('steps', 'an integer >= 0', s.steps);
    const rng = s.rng;
    if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) || rng.every((w) => w === 0))
      fail('rng', 'four uint32 words, not all zero', rng);
    this.mj.mj_resetData(m, this.data);
    this.qpos.set(qpos);
    this.qvel.set(qvel);
    (this.data.act as Float64Array).set(act);
    (this.data.qacc_warmstart as Float64Array).set(warm);
    this.data.time = s.time as number;
    this.mj.mj_forward(m, this.data);
    this.steps = s.steps as number;
    this.rng = new Rng(0);
    this.rng.setState(rng as number[]);
  }

  /** Frees MuJoCo's model and data on the wasm heap; the env cannot be used afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    finalizer.unregister(this);
    this.data.delete();
    this.model.delete();
  }

  private checkOpen(method: string): void {
    if (this.closed) throw new Error(`${this.name}.${method}: the env is closed`);
  }
}

function checkOptions(options: MujocoEnvOptions): MujocoEnvOptions {
  const o = options as unknown as Record<string, unknown> | null;
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new RangeError(`MujocoEnv: option '${field}' must be ${expected}, got ${describe(got)}`);
  };
  if (o === null || typeof o !== 'object') fail('options', 'an object', o);
  const known = ['name', 'xml', 'file', 'frameSkip', 'observationSize', 'maxEpisodeSteps', 'resetNoise'];
  for (const k of Object.keys(o!)) if (!known.includes(k)) throw new RangeError(`MujocoEnv: unknown option '${k}' (options: ${known.join(', ')})`);
  if (typeof o!.name !== 'string' || o!.name === '') fail('name', 'a non-empty string', o!.name);
  if ((o!.xml === undefined) === (o!.file === undefined)) throw new RangeError(`MujocoEnv '${o!.name}': give the model as exactly one of 'xml' (MJCF text) and 'file' (a path)`);
  if (o!.xml !== undefined && typeof o!.xml !== 'string') fail('xml', 'MJCF text (a string)', o!.xml);
  if (o!.file !== undefined && typeof o!.file !== 'string') fail('file', 'a path (a string)', o!.file);
  for (const k of ['frameSkip', 'observationSize']) if (!Number.isSafeInteger(o![k]) || (o![k] as number) < 1) fail(k, 'an integer >= 1', o![k]);
  if (o!.maxEpisodeSteps !== undefined && (!Number.isSafeInteger(o!.maxEpisodeSteps) || (o!.maxEpisodeSteps as number) < 1)) fail('maxEpisodeSteps', 'an integer >= 1', o!.maxEpisodeSteps);
  const noise = o!.resetNoise as Record<string, unknown> | undefined;
  if (noise !== undefined && (noise === null || typeof noise !== 'object' || !(typeof noise.scale === 'number' && noise.scale >= 0 && Number.isFinite(noise.scale)) || (noise.qvel !== 'uniform' && noise.qvel !== 'normal')))
    fail('resetNoise', "{ scale: a finite number >= 0, qvel: 'uniform' or 'normal' }", noise);
  return options;
}
