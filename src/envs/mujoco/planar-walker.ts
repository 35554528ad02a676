/**
 * The body Hopper-v4 and Walker2d-v4 share: a capsule torso free in the x-z plane (x and z
 * slides, a y hinge) with one leg (Hopper) or two (Walker2d) of thigh, leg and foot, each on
 * a hinge about -y. Both use RK4 at 2 ms, four steps per env step.
 *
 * Physical parameters from Gymnasium's hopper.xml and walker2d.xml, the models Hopper-v4 and
 * Walker2d-v4 load (Farama-Foundation/Gymnasium, gymnasium/envs/mujoco/assets); angles in
 * degrees. Those files give each part relative to its parent; the figures below are the
 * original openai/gym model's world coordinates at qpos0, from which the relative ones are
 * computed here, in float64, to the very same doubles (0.19999999999999996 = 1.25 - 1.05).
 */
import { el, type MjcfElement } from './mjcf.js';

export const TIMESTEP = 0.002;
export const FRAME_SKIP = 4;

/** World heights (m) at qpos0: the torso's top; the hip, knee and ankle hinges. */
const TORSO_TOP = 1.45, HIP = 1.05, KNEE = 0.6, ANKLE = 0.1;
const TORSO_Z = (TORSO_TOP + HIP) / 2;
/** The leg body's frame sits halfway down its capsule. */
const LEG_Z = (KNEE + ANKLE) / 2;

/** The feet are turned about -y to lie along x (the files' quaternion, exactly). */
const FOOT_QUAT = [0.7071067811865476, 0, -0.7071067811865475, 0];

export interface FootSpec {
  /** World x of the foot body's frame (the ankle hinge is at x 0, height ANKLE). */
  bodyX: number;
  /** World x of the capsule's ends, at height ANKLE. */
  from: number;
  to: number;
  /** Sliding friction. */
  friction: number;
}

/** thigh, leg and foot; `suffix` names the second leg's parts (thigh_left, thigh_left_joint, ...). */
export function planarLeg(suffix: string, foot: FootSpec): MjcfElement {
  const n = (part: string) => `${part}${suffix}`;
  const hinge = (part: string, pos: number[], range: number[]) => el('joint', { name: `${n(part)}_joint`, type: 'hinge', pos, axis: [0, -1, 0], range });
  const capsule = (part: string, attrs: Record<string, number | number[] | undefined>) => el('geom', { name: `${n(part)}_geom`, type: 'capsule', ...attrs });
  return el('body', { name: n('thigh'), pos: [0, 0, HIP - TORSO_Z] }, [
    hinge('thigh', [0, 0, 0], [-150, 0]),
    capsule('thigh', { pos: [0, 0, (HIP + KNEE) / 2 - HIP], size: [0.05, (HIP - KNEE) / 2], friction: 0.9 }),
    el('body', { name: n('leg'), pos: [0, 0, LEG_Z - HIP] }, [
      hinge('leg', [0, 0, KNEE - LEG_Z], [-150, 0]),
      capsule('leg', { size: [0.04, (KNEE - ANKLE) / 2], friction: 0.9 }),
      el('body', { name: n('foot'), pos: [foot.bodyX, 0, 0 - LEG_Z] }, [
        hinge('foot', [0 - foot.bodyX, 0, ANKLE], [-45, 45]),
        capsule('foot', { pos: [(foot.from + foot.to) / 2 - foot.bodyX, 0, ANKLE], quat: FOOT_QUAT, size: [0.06, (foot.to - foot.from) / 2], friction: foot.friction }),
      ]),
    ]),
  ]);
}

/** The torso on its three planar joints (no armature, damping or limits), carrying the legs. */
export function planarTorso(legs: MjcfElement[]): MjcfElement {
  const root = (name: string, type: string, pos: number[], axis: number[], ref?: number) =>
    el('joint', { name, type, pos, axis, ref, armature: 0, damping: 0, stiffness: 0, limited: false });
  return el('body', { name: 'torso', pos: [0, 0, TORSO_Z] }, [
    // rootz's ref makes qpos[1] the torso's height (1.25 at qpos0), which the healthy check reads.
    root('rootx', 'slide', [0, 0, -TORSO_Z], [1, 0, 0]),
    root('rootz', 'slide', [0, 0, -TORSO_Z], [0, 0, 1], TORSO_Z),
    root('rooty', 'hinge', [0, 0, 0], [0, 1, 0]),
    el('geom', { name: 'torso_geom', type: 'capsule', size: [0.05, (TORSO_TOP - HIP) / 2], friction: 0.9 }),
    ...legs,
  ]);
}

/** One motor per leg joint, leg by leg, thigh to foot. */
export function legMotors(suffixes: string[], gear: number): MjcfElement[] {
  return suffixes.flatMap((s) => ['thigh', 'leg', 'foot'].map((part) =>
    el('motor', { joint: `${part}${s}_joint`, gear, ctrllimited: true, ctrlrange: [-1, 1] })));
}
