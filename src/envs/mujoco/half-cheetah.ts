/**
 * HalfCheetah-v4: a planar cat of nine rigid capsules (torso, head, two three-segment legs)
 * that runs forward along x. Reward x velocity - 0.1 sum(a^2); it never terminates.
 *
 * Physical parameters from Gymnasium's half_cheetah.xml, the model HalfCheetah-v4 loads
 * (Farama-Foundation/Gymnasium, gymnasium/envs/mujoco/assets); angles in radians.
 */
import { el, type MjcfElement, toXml } from './mjcf.js';
import { Locomotion } from './locomotion.js';

/** One leg segment: a body on a hinge about y, with a capsule and a motor. */
interface Segment {
  name: string;
  /** The body's (and its hinge's) position in its parent, x and z. */
  pos: [number, number];
  /** Joint limits (rad), spring stiffness (N m/rad) and damping (N m s/rad). */
  range: [number, number];
  stiffness: number;
  damping: number;
  gear: number;
  /** The capsule: centre (x, z) in the body, tilt about y (rad) and half-length (m). */
  geom: { pos: [number, number]; angle: number; halfLength: number };
}

const BACK_LEG: Segment[] = [
  { name: 'bthigh', pos: [-0.5, 0], range: [-0.52, 1.05], stiffness: 240, damping: 6, gear: 120, geom: { pos: [0.1, -0.13], angle: -3.8, halfLength: 0.145 } },
  { name: 'bshin', pos: [0.16, -0.25], range: [-0.785, 0.785], stiffness: 180, damping: 4.5, gear: 90, geom: { pos: [-0.14, -0.07], angle: -2.03, halfLength: 0.15 } },
  { name: 'bfoot', pos: [-0.28, -0.14], range: [-0.4, 0.785], stiffness: 120, damping: 3, gear: 60, geom: { pos: [0.03, -0.097], angle: -0.27, halfLength: 0.094 } },
];

const FRONT_LEG: Segment[] = [
  { name: 'fthigh', pos: [0.5, 0], range: [-1, 0.7], stiffness: 180, damping: 4.5, gear: 120, geom: { pos: [-0.07, -0.12], angle: 0.52, halfLength: 0.133 } },
  { name: 'fshin', pos: [-0.14, -0.24], range: [-1.2, 0.87], stiffness: 120, damping: 3, gear: 60, geom: { pos: [0.065, -0.09], angle: -0.6, halfLength: 0.106 } },
  { name: 'ffoot', pos: [0.13, -0.18], range: [-0.5, 0.5], stiffness: 60, damping: 1.5, gear: 30, geom: { pos: [0.045, -0.07], angle: -0.6, halfLength: 0.07 } },
];

/** Every capsule's radius (m). */
const RADIUS = 0.046;

const TIMESTEP = 0.01;
const FRAME_SKIP = 5;

/** A chain of segments, each body inside the one before. */
function leg([first, ...rest]: Segment[]): MjcfElement {
  const s = first!;
  return el('body', { name: s.name, pos: [s.pos[0], 0, s.pos[1]] }, [
    el('joint', { name: s.name, type: 'hinge', pos: [0, 0, 0], axis: [0, 1, 0], range: s.range, stiffness: s.stiffness, damping: s.damping }),
    el('geom', { name: s.name, type: 'capsule', pos: [s.geom.pos[0], 0, s.geom.pos[1]], axisangle: [0, 1, 0, s.geom.angle], size: [RADIUS, s.geom.halfLength] }),
    ...(rest.length ? [leg(rest)] : []),
  ]);
}

/** The MJCF of HalfCheetah-v4's model. */
export function halfCheetahXml(): string {
  // The x, z slides and the y hinge make the torso free in the plane: no spring, damping,
  // armature or limits, unlike the legs' joints.
  const root = (name: string, type: string, axis: number[]) =>
    el('joint', { name, type, pos: [0, 0, 0], axis, armature: 0, damping: 0, stiffness: 0, limited: false });
  return toXml(el('mujoco', { model: 'half_cheetah' }, [
    // The compiler scales every body's mass and inertia (from the geoms, at the default
    // density) so the robot weighs 14 kg.
    el('compiler', { angle: 'radian', inertiafromgeom: true, settotalmass: 14 }),
    el('option', { timestep: TIMESTEP, gravity: [0, 0, -9.81] }),
    el('default', {}, [
      el('joint', { limited: true, armature: 0.1, damping: 0.01, stiffness: 8, solimplimit: [0, 0.8, 0.03], solreflimit: [0.02, 1] }),
      el('geom', { contype: 1, conaffinity: 0, condim: 3, friction: [0.4, 0.1, 0.1], solimp: [0, 0.8, 0.01], solref: [0.02, 1] }),
      el('motor', { ctrllimited: true, ctrlrange: [-1, 1] }),
    ]),
    el('worldbody', {}, [
      // Only the floor collides with the body (its conaffinity 1 against the body's contype 1).
      el('geom', { name: 'floor', type: 'plane', pos: [0, 0, 0], size: [40, 40, 40], conaffinity: 1, condim: 3 }),
      el('body', { name: 'torso', pos: [0, 0, 0.7] }, [
        root('rootx', 'slide', [1, 0, 0]),
        root('rootz', 'slide', [0, 0, 1]),
        root('rooty', 'hinge', [0, 1, 0]),
        el('geom', { name: 'torso', type: 'capsule', fromto: [-0.5, 0, 0, 0.5, 0, 0], size: [RADIUS] }),
        el('geom', { name: 'head', type: 'capsule', pos: [0.6, 0, 0.1], axisangle: [0, 1, 0, 0.87], size: [RADIUS, 0.15] }),
        leg(BACK_LEG),
        leg(FRONT_LEG),
      ]),
    ]),
    el('actuator', {}, [...BACK_LEG, ...FRONT_LEG].map((s) => el('motor', { name: s.name, joint: s.name, gear: s.gear }))),
  ]));
}

/** qpos: rootx, rootz, rooty, then the six leg joints; observation qpos[1:] (17 with qvel). */
export class HalfCheetah extends Locomotion {
  constructor() {
    super({
      name: 'HalfCheetah-v4', xml: halfCheetahXml(), frameSkip: FRAME_SKIP, observationSize: 17,
      // qpos0 + U(-0.1, 0.1), qvel 0.1 N(0, 1) (reset_noise_scale 0.1)
      resetNoise: { scale: 0.1, qvel: 'normal' },
      ctrlCostWeight: 0.1, healthyReward: null, excludedQpos: 1,
    });
  }
}
