/**
 * Hopper-v4: a one-legged planar robot that hops forward along x. Reward x velocity + 1
 * (healthy) - 0.001 sum(a^2); the episode ends when it is unhealthy: any of state[2:]
 * (concat(qpos, qvel) without x and z) outside (-100, 100), the torso at or below z 0.7, or
 * its pitch at or beyond +-0.2 rad (hopper_v4.py's defaults).
 *
 * Physical parameters from Gymnasium's hopper.xml (see planar-walker.ts).
 */
import { Locomotion } from './locomotion.js';
import { el, toXml } from './mjcf.js';
import { FRAME_SKIP, legMotors, planarLeg, planarTorso, TIMESTEP } from './planar-walker.js';

/** healthy_state_range, healthy_z_range, healthy_angle_range: all open intervals. */
const HOPPER_HEALTHY = { state: [-100, 100], z: [0.7, Infinity], angle: [-0.2, 0.2] } as const;

/** The MJCF of Hopper-v4's model. */
export function hopperXml(): string {
  return toXml(el('mujoco', { model: 'hopper' }, [
    el('compiler', { angle: 'degree', inertiafromgeom: true }),
    el('option', { integrator: 'RK4', timestep: TIMESTEP }),
    el('default', {}, [
      el('joint', { limited: true, armature: 1, damping: 1 }),
      // Every geom collides with every other (contype = conaffinity = 1), with a 1 mm margin
      // and frictionless (condim 1) contacts, except the floor's.
      el('geom', { contype: 1, conaffinity: 1, condim: 1, margin: 0.001, solimp: [0.8, 0.8, 0.01], solref: [0.02, 1] }),
      el('motor', { ctrllimited: true, ctrlrange: [-0.4, 0.4] }),
    ]),
    el('worldbody', {}, [
      el('geom', { name: 'floor', type: 'plane', pos: [0, 0, 0], size: [20, 20, 0.125], conaffinity: 1, condim: 3 }),
      planarTorso([planarLeg('', { bodyX: 0.13, from: -0.13, to: 0.26, friction: 2 })]),
    ]),
    el('actuator', {}, legMotors([''], 200)),
  ]));
}

/** qpos: rootx, rootz, rooty, thigh, leg, foot; observation qpos[1:], clip(qvel, -10, 10) (11). */
export class Hopper extends Locomotion {
  constructor() {
    super({
      name: 'Hopper-v4', xml: hopperXml(), frameSkip: FRAME_SKIP, observationSize: 11,
      resetNoise: { scale: 5e-3, qvel: 'uniform' },
      ctrlCostWeight: 1e-3, healthyReward: 1, excludedQpos: 1, qvelClip: 10,
    });
  }

  protected override isHealthy(): boolean {
    const qpos = this.qpos, qvel = this.qvel, { state, z, angle } = HOPPER_HEALTHY;
    // NaN fails every comparison, so a NaN state is unhealthy, as in numpy.
    for (let i = 2; i < qpos.length; i++) if (!(state[0] < qpos[i]! && qpos[i]! < state[1])) return false;
    for (let i = 0; i < qvel.length; i++) if (!(state[0] < qvel[i]! && qvel[i]! < state[1])) return false;
    return z[0] < qpos[1]! && qpos[1]! < z[1] && angle[0] < qpos[2]! && qpos[2]! < angle[1];
  }
}
