/**
 * Ant-v4: a four-legged robot (a sphere torso on a free joint, legs of two capsules on a hip
 * and an ankle hinge) that walks forward along x. Reward the torso's x velocity + 1 (healthy)
 * - 0.5 sum(a^2); the episode ends when the state is not finite or the torso's height leaves
 * [0.2, 1.0]. v4's defaults: no contact forces in the observation or the reward
 * (use_contact_forces=False), so the observation is qpos[2:] and qvel (27).
 *
 * Physical parameters from Gymnasium's ant.xml, the model Ant-v4 loads
 * (Farama-Foundation/Gymnasium, gymnasium/envs/mujoco/assets); angles in degrees.
 */
import { Locomotion } from './locomotion.js';
import { el, toXml } from './mjcf.js';

/** healthy_z_range: a closed interval, unlike Hopper's and Walker2d's. */
const ANT_HEALTHY_Z = [0.2, 1] as const;

/**
 * The legs in the model's order, each pointing along the diagonal (dx, dy): a fixed capsule
 * from the torso's centre, then a hip about z and an ankle about the horizontal axis across
 * the leg, with the range that lets the foot push down.
 */
const LEGS = [
  { name: 'front_left_leg', n: 1, dir: [1, 1], ankleAxis: [-1, 1, 0], ankleRange: [30, 70], geoms: ['aux_1_geom', 'left_leg_geom', 'left_ankle_geom'] },
  { name: 'front_right_leg', n: 2, dir: [-1, 1], ankleAxis: [1, 1, 0], ankleRange: [-70, -30], geoms: ['aux_2_geom', 'right_leg_geom', 'right_ankle_geom'] },
  { name: 'back_leg', n: 3, dir: [-1, -1], ankleAxis: [-1, 1, 0], ankleRange: [-70, -30], geoms: ['aux_3_geom', 'back_leg_geom', 'third_ankle_geom'] },
  { name: 'right_back_leg', n: 4, dir: [1, -1], ankleAxis: [1, 1, 0], ankleRange: [30, 70], geoms: ['aux_4_geom', 'rightback_leg_geom', 'fourth_ankle_geom'] },
] as const;

/** The motors' order: leg 4's hip and ankle, then legs 1, 2, 3. */
const MOTOR_LEGS = [4, 1, 2, 3];

/** Capsule radius; the upper segments run 0.2 m along x and y, the lower ones 0.4 m. */
const RADIUS = 0.08;
const UPPER = 0.2;
const LOWER = 0.4;

/** The MJCF of Ant-v4's model. */
export function antXml(): string {
  const capsule = (name: string, dx: number, dy: number) => el('geom', { name, type: 'capsule', fromto: [0, 0, 0, dx, dy, 0], size: [RADIUS] });
  const legs = LEGS.map(({ name, n, dir: [dx, dy], ankleAxis, ankleRange, geoms }) =>
    el('body', { name, pos: [0, 0, 0] }, [
      capsule(geoms[0], dx * UPPER, dy * UPPER),
      el('body', { name: `aux_${n}`, pos: [dx * UPPER, dy * UPPER, 0] }, [
        el('joint', { name: `hip_${n}`, type: 'hinge', pos: [0, 0, 0], axis: [0, 0, 1], range: [-30, 30] }),
        capsule(geoms[1], dx * UPPER, dy * UPPER),
        el('body', { pos: [dx * UPPER, dy * UPPER, 0] }, [
          el('joint', { name: `ankle_${n}`, type: 'hinge', pos: [0, 0, 0], axis: ankleAxis, range: ankleRange }),
          capsule(geoms[2], dx * LOWER, dy * LOWER),
        ]),
      ]),
    ]));
  return toXml(el('mujoco', { model: 'ant' }, [
    el('compiler', { angle: 'degree', inertiafromgeom: true }),
    el('option', { integrator: 'RK4', timestep: 0.01 }),
    el('default', {}, [
      el('joint', { limited: true, armature: 1, damping: 1 }),
      // A light body (density 5) that collides with the floor only, with a 1 cm margin.
      el('geom', { contype: 1, conaffinity: 0, condim: 3, density: 5, friction: [1, 0.5, 0.5], margin: 0.01 }),
    ]),
    el('worldbody', {}, [
      el('geom', { name: 'floor', type: 'plane', pos: [0, 0, 0], size: [40, 40, 40], conaffinity: 1, condim: 3 }),
      el('body', { name: 'torso', pos: [0, 0, 0.75] }, [
        el('geom', { name: 'torso_geom', type: 'sphere', pos: [0, 0, 0], size: [0.25] }),
        el('joint', { name: 'root', type: 'free', pos: [0, 0, 0], armature: 0, damping: 0, limited: false, margin: 0.01 }),
        ...legs,
      ]),
    ]),
    el('actuator', {}, MOTOR_LEGS.flatMap((n) => [`hip_${n}`, `ankle_${n}`].map((joint) =>
      el('motor', { joint, gear: 150, ctrllimited: true, ctrlrange: [-1, 1] })))),
  ]));
}

/** qpos: the torso's x y z and quaternion, then hip and ankle of legs 1-4; observation qpos[2:], qvel. */
export class Ant extends Locomotion {
  constructor() {
    super({
      name: 'Ant-v4', xml: antXml(), frameSkip: 5, observationSize: 27,
      resetNoise: { scale: 0.1, qvel: 'normal' },
      // The torso's x is its frame's (its sphere's centre), as get_body_com('torso') reads it.
      ctrlCostWeight: 0.5, healthyReward: 1, excludedQpos: 2, xBody: 'torso',
    });
  }

  protected override isHealthy(): boolean {
    const qpos = this.qpos, qvel = this.qvel;
    for (let i = 0; i < qpos.length; i++) if (!Number.isFinite(qpos[i])) return false;
    for (let i = 0; i < qvel.length; i++) if (!Number.isFinite(qvel[i])) return false;
    return ANT_HEALTHY_Z[0] <= qpos[2]! && qpos[2]! <= ANT_HEALTHY_Z[1];
  }
}
