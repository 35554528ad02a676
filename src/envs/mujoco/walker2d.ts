/**
 * Walker2d-v4: a two-legged planar robot that walks forward along x. Reward x velocity + 1
 * (healthy) - 0.001 sum(a^2); the episode ends when the torso's height leaves (0.8, 2.0) or
 * its pitch leaves (-1, 1) rad (walker2d_v4.py's defaults).
 *
 * Physical parameters from Gymnasium's walker2d.xml (see planar-walker.ts).
 */
import { Locomotion } from './locomotion.js';
import { el, toXml } from './mjcf.js';
import { FRAME_SKIP, legMotors, planarLeg, planarTorso, TIMESTEP } from './planar-walker.js';

/** healthy_z_range and healthy_angle_range: open intervals. */
const WALKER_HEALTHY = { z: [0.8, 2], angle: [-1, 1] } as const;

/** The MJCF of Walker2d-v4's model. */
export function walker2dXml(): string {
  // The feet are 0.2 m long, from the ankle forward; v4's left foot grips harder (1.9) than its right (0.9).
  const foot = (friction: number) => ({ bodyX: 0.2, from: 0, to: 0.2, friction });
  return toXml(el('mujoco', { model: 'walker2d' }, [
    el('compiler', { angle: 'degree', inertiafromgeom: true }),
    el('option', { integrator: 'RK4', timestep: TIMESTEP }),
    el('default', {}, [
      el('joint', { limited: true, armature: 0.01, damping: 0.1 }),
      // The body collides with the floor only (conaffinity 0 against the floor's 1).
      el('geom', { contype: 1, conaffinity: 0, condim: 3, density: 1000, friction: [0.7, 0.1, 0.1] }),
    ]),
    el('worldbody', {}, [
      el('geom', { name: 'floor', type: 'plane', pos: [0, 0, 0], size: [40, 40, 40], conaffinity: 1, condim: 3 }),
      planarTorso([planarLeg('', foot(0.9)), planarLeg('_left', foot(1.9))]),
    ]),
    el('actuator', {}, legMotors(['', '_left'], 100)),
  ]));
}

/** qpos: rootx, rootz, rooty, the right leg's three joints, the left's; observation qpos[1:], clip(qvel, -10, 10) (17). */
export class Walker2d extends Locomotion {
  constructor() {
    super({
      name: 'Walker2d-v4', xml: walker2dXml(), frameSkip: FRAME_SKIP, observationSize: 17,
      resetNoise: { scale: 5e-3, qvel: 'uniform' },
      ctrlCostWeight: 1e-3, healthyReward: 1, excludedQpos: 1, qvelClip: 10,
    });
  }

  protected override isHealthy(): boolean {
    const q = this.qpos, { z, angle } = WALKER_HEALTHY;
    return z[0] < q[1]! && q[1]! < z[1] && angle[0] < q[2]! && q[2]! < angle[1];
  }
}
