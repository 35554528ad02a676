/**
 * A recorded episode: one deterministic episode (episode.ts, the very episode the training
 * loop's test runs for the same seed) with a frame of the scene after the reset and after
 * every step, each step's reward and its `info` terms. What a frame holds depends on the
 * env: every drawn geom's pose for a MuJoCo env, the angle for Pendulum, the position for
 * MountainCar.
 *
 * A MuJoCo frame is read from a scratch MjData: the env's qpos copied in, then
 * mj_kinematics. After a step the env's own geom poses lag the state (they were computed
 * inside the last mj_step, see env.ts), and refreshing them in the env's data would change
 * what Ant's next reward reads; the scratch copy leaves the env's bits alone.
 */
import { MountainCarContinuous } from '../envs/mountain-car.js';
import { MujocoEnv } from '../envs/mujoco/env.js';
import { Pendulum } from '../envs/pendulum.js';
import type { Env, StepResult } from '../envs/types.js';
import type { Acting } from '../sac/policy.js';
import { deterministicEpisode } from './episode.js';

/** The geom types a replay draws, by MuJoCo's mjtGeom value. */
const GEOM_TYPES: Record<number, GeomType> = { 2: 'sphere', 3: 'capsule', 4: 'ellipsoid', 5: 'cylinder', 6: 'box' };
const PLANE = 0;

export type GeomType = 'sphere' | 'capsule' | 'ellipsoid' | 'cylinder' | 'box';

export interface ReplayGeom {
  name: string;
  type: GeomType;
  /** MuJoCo's geom_size (m): the radius; radius and half-length; the semi-axes; radius and half-height; the half-sizes. */
  size: [number, number, number];
  /**
   * Which limb it is on, for its colour: 0 the followed body itself, i > 0 the subtree of
   * that body's i-th child (HalfCheetah's back and front legs, Ant's four), -1 outside it.
   */
  limb: number;
  /** Bodies between its body and the followed one (0 on it): the thigh 1, the shin 2, ... */
  level: number;
}

/** A MuJoCo episode's frames. */
export interface MujocoScene {
  kind: 'mujoco';
  /**
   * 'side' when every drawn geom stays in the plane y = 0 in every frame (HalfCheetah,
   * Hopper, Walker2d): a side view shows it all. 'oblique' otherwise (Ant).
   */
  view: 'side' | 'oblique';
  geoms: ReplayGeom[];
  /** The height of the floor (the first plane on the world body), or null without one. */
  floorZ: number | null;
  /** The body the camera follows: 'torso' if the model has one, else the first body. */
  root: string;
  /** Per frame, per geom: its centre x y z and its orientation as a unit quaternion w x y z (float32). */
  poses: Float32Array;
  /** Per frame: the followed body's frame origin x y z (float32). */
  rootPos: Float32Array;
  /** Geoms not drawn: their names and types (height fields, meshes, SDFs). */
  skipped: string[];
}

export interface PendulumScene {
  kind: 'pendulum';
  /** Per frame: the angle th (rad), 0 upright, counter-clockwise positive (Gymnasium's drawing). */
  angle: Float32Array;
}

export interface MountainCarScene {
  kind: 'mountain-car';
  /** Per frame: the car's position on the track (the hill is sin(3 x)). */
  position: Float32Array;
}

export type Scene = MujocoScene | PendulumScene | MountainCarScene;

export interface Recording {
  env: string;
  seed: number;
  /**
   * Frames per second at which the episode plays in real time (1 / dt), or for MountainCar,
   * which has no time step, Gymnasium's render_fps (30); `realTime` says which.
   */
  fps: number;
  realTime: boolean;
  /** Steps taken; there are steps + 1 frames (the reset's, then one per step). */
  steps: number;
  /** The episode's return, summed in step order as the test sums it. */
  ret: number;
  /** Whether the env ended it (terminated), or a time limit cut it. */
  terminated: boolean;
  /** Each step's reward. */
  rewards: Float64Array;
  /** Each step's info terms by name (NaN where a step did not report one). */
  info: Record<string, Float64Array>;
  scene: Scene;
}

interface SceneRecorder {
  capture(): void;
  finish(frames: number): Scene;
  /** Frees what the recorder holds (a MuJoCo scratch MjData). */
  dispose(): void;
}

/** Throws unless a replay can draw this env (a MuJoCo env, Pendulum or MountainCarContinuous); `who` starts the message. */
export function checkDrawable(env: Env, name: string, who = 'replay'): void {
  if (env instanceof MujocoEnv || env instanceof Pendulum || env instanceof MountainCarContinuous) return;
  throw new RangeError(`${who}: cannot draw the env '${name}': a replay draws the MuJoCo envs (HalfCheetah-v4, Hopper-v4, Walker2d-v4, Ant-v4, `
    + `or any MujocoEnv subclass), Pendulum-v1 and MountainCarContinuous-v0, got ${env?.constructor?.name ?? typeof env}`);
}

/**
 * Runs one deterministic episode from reset(seed) on env, recording it. The env's steps,
 * rewards and return are those testAgent sees for the same seed.
 */
export function recordEpisode(agent: Acting, env: Env, name: string, maxEpLen: number, seed: number): Recording {
  checkDrawable(env, name);
  const recorder = sceneRecorder(env);
  try {
    const rewards: number[] = [], info = new Map<string, number[]>();
    let terminated = false;
    const watch = (r: StepResult | null) => {
      recorder.capture();
      if (!r) return;
      const k = rewards.length;
      rewards.push(r.reward);
      terminated = r.terminated;
      for (const [key, v] of Object.entries(r.info ?? {})) {
        if (typeof v !== 'number') continue;
        let column = info.get(key);
        if (!column) info.set(key, column = new Array<number>(k).fill(NaN));
        column[k] = v;
      }
      for (const column of info.values()) if (column.length === k) column.push(NaN);
    };
    const { ret, len } = deterministicEpisode(agent, env, name, maxEpLen, seed, 'replay episode', watch);
    return {
      env: name, seed, fps: env instanceof MountainCarContinuous ? 30 : 1 / (env as MujocoEnv | Pendulum).dt, realTime: !(env instanceof MountainCarContinuous), steps: len, ret, terminated,
      rewards: Float64Array.from(rewards), info: Object.fromEntries([...info].map(([k, v]) => [k, Float64Array.from(v)])),
      scene: recorder.finish(len + 1),
    };
  } finally {
    recorder.dispose();
  }
}

/**
 * recordEpisode on a fresh env from makeEnv, closed afterwards (a MuJoCo env's model and
 * data live on the wasm heap): the replay never touches an env something else is using.
 */
export function recordOnFreshEnv(agent: Acting, makeEnv: () => Env, name: string, maxEpLen: number, seed: number): Recording {
  const env = makeEnv();
  try {
    return recordEpisode(agent, env, name, maxEpLen, seed);
  } finally {
    if (env instanceof MujocoEnv) env.close();
  }
}

function sceneRecorder(env: Env): SceneRecorder {
  if (env instanceof MujocoEnv) return mujocoRecorder(env);
  const classic = env as Pendulum | MountainCarContinuous;
  const values: number[] = [];
  return {
    capture: () => values.push(classic.state[0]),
    finish: () => (env instanceof Pendulum ? { kind: 'pendulum', angle: Float32Array.from(values) } : { kind: 'mountain-car', position: Float32Array.from(values) }),
    dispose: () => undefined,
  };
}

function mujocoRecorder(env: MujocoEnv): SceneRecorder {
  const { mj, model: m } = env;
  const geomObj = mj.mjtObj.mjOBJ_GEOM.value, bodyObj = mj.mjtObj.mjOBJ_BODY.value;
  const types = m.geom_type as Int32Array, sizes = m.geom_size as Float64Array, bodies = m.geom_bodyid as Int32Array;
  const rgba = m.geom_rgba as Float32Array, localPos = m.geom_pos as Float64Array;
  const torso = mj.mj_name2id(m, bodyObj, 'torso');
  const rootId = torso >= 0 ? torso : Math.min(1, m.nbody - 1);
  const limbOf = limbs(m.body_parentid as Int32Array, rootId);
  const drawn: number[] = [], geoms: ReplayGeom[] = [], skipped: string[] = [];
  let floorZ: number | null = null;
  for (let g = 0; g < m.ngeom; g++) {
    const name = mj.mj_id2name(m, geomObj, g) || `geom ${g}`, type = types[g]!;
    if (type === PLANE) {
      // The floor is drawn as a floor (with a grid), not as a body.
      if (floorZ === null && bodies[g] === 0) floorZ = localPos[3 * g + 2]!;
      continue;
    }
    if (rgba[4 * g + 3] === 0) continue; // invisible
    const t = GEOM_TYPES[type];
    if (!t) {
      skipped.push(`${name} (mjtGeom ${type})`);
      continue;
    }
    drawn.push(g);
    geoms.push({ name, type: t, size: [sizes[3 * g]!, sizes[3 * g + 1]!, sizes[3 * g + 2]!], ...limbOf(bodies[g]!) });
  }
  const scratch = new mj.MjData(m);
  const poses: number[] = [], rootPos: number[] = [];
  let planar = true;
  const q = [0, 0, 0, 0];
  return {
    capture() {
      (scratch.qpos as Float64Array).set(env.qpos);
      if (m.nmocap > 0) {
        (scratch.mocap_pos as Float64Array).set(env.data.mocap_pos as Float64Array);
        (scratch.mocap_quat as Float64Array).set(env.data.mocap_quat as Float64Array);
      }
      mj.mj_kinematics(m, scratch);
      const xpos = scratch.geom_xpos as Float64Array, xmat = scratch.geom_xmat as Float64Array, body = scratch.xpos as Float64Array;
      for (const g of drawn) {
        const y = xpos[3 * g + 1]!;
        if (Math.abs(y) > 1e-9) planar = false;
        matToQuat(xmat, 9 * g, q);
        poses.push(xpos[3 * g]!, y, xpos[3 * g + 2]!, q[0]!, q[1]!, q[2]!, q[3]!);
      }
      rootPos.push(body[3 * rootId]!, body[3 * rootId + 1]!, body[3 * rootId + 2]!);
    },
    finish: () => ({
      kind: 'mujoco', view: planar ? 'side' : 'oblique', geoms, floorZ,
      root: mj.mj_id2name(m, bodyObj, rootId) || `body ${rootId}`,
      poses: Float32Array.from(poses), rootPos: Float32Array.from(rootPos), skipped,
    }),
    dispose: () => scratch.delete(),
  };
}

/** A body's limb and level under the followed body `root` (see ReplayGeom), from body_parentid. */
function limbs(parent: Int32Array, root: number): (body: number) => { limb: number; level: number } {
  const children: number[] = [];
  for (let b = 1; b < parent.length; b++) if (parent[b] === root && b !== root) children.push(b);
  return (body) => {
    let level = 0;
    for (let b = body; b !== root; b = parent[b]!, level++) {
      if (b === 0) return { limb: -1, level: 0 };
      if (parent[b] === root) return { limb: children.indexOf(b) + 1, level: level + 1 };
    }
    return { limb: 0, level: 0 };
  };
}

/**
 * The unit quaternion (w, x, y, z) of a row-major rotation matrix at mat[off..off+9]:
 * Shepperd's method, from the largest of the trace and the diagonal, so the divisor is
 * never small.
 */
function matToQuat(mat: Float64Array, off: number, q: number[]): void {
  const m = (i: number, j: number) => mat[off + 3 * i + j]!;
  const tr = m(0, 0) + m(1, 1) + m(2, 2);
  if (tr > 0) {
    const s = 2 * Math.sqrt(tr + 1);
    q[0] = s / 4; q[1] = (m(2, 1) - m(1, 2)) / s; q[2] = (m(0, 2) - m(2, 0)) / s; q[3] = (m(1, 0) - m(0, 1)) / s;
  } else if (m(0, 0) > m(1, 1) && m(0, 0) > m(2, 2)) {
    const s = 2 * Math.sqrt(1 + m(0, 0) - m(1, 1) - m(2, 2));
    q[0] = (m(2, 1) - m(1, 2)) / s; q[1] = s / 4; q[2] = (m(0, 1) + m(1, 0)) / s; q[3] = (m(0, 2) + m(2, 0)) / s;
  } else if (m(1, 1) > m(2, 2)) {
    const s = 2 * Math.sqrt(1 + m(1, 1) - m(0, 0) - m(2, 2));
    q[0] = (m(0, 2) - m(2, 0)) / s; q[1] = (m(0, 1) + m(1, 0)) / s; q[2] = s / 4; q[3] = (m(1, 2) + m(2, 1)) / s;
  } else {
    const s = 2 * Math.sqrt(1 + m(2, 2) - m(0, 0) - m(1, 1));
    q[0] = (m(1, 0) - m(0, 1)) / s; q[1] = (m(0, 2) + m(2, 0)) / s; q[2] = (m(1, 2) + m(2, 1)) / s; q[3] = s / 4;
  }
}
