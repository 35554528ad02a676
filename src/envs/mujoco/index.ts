/** The MuJoCo environments: Gymnasium's v4 locomotion tasks, MujocoEnv for a user's own robot, and the module loader. */
import { Ant } from './ant.js';
import { HalfCheetah } from './half-cheetah.js';
import { Hopper } from './hopper.js';
import { Walker2d } from './walker2d.js';

export { Ant, antXml } from './ant.js';
export { MujocoEnv } from './env.js';
export type { MujocoEnvOptions, MujocoEnvState } from './env.js';
export { HalfCheetah, halfCheetahXml } from './half-cheetah.js';
export { Hopper, hopperXml } from './hopper.js';
export { loadMujoco } from './loader.js';
export type { Mujoco } from './loader.js';
export { Walker2d, walker2dXml } from './walker2d.js';

/** The built-in MuJoCo envs by their Gymnasium names; each needs loadMujoco() first. */
export const mujocoEnvs: Record<string, new () => HalfCheetah | Hopper | Walker2d | Ant> = {
  'HalfCheetah-v4': HalfCheetah,
  'Hopper-v4': Hopper,
  'Walker2d-v4': Walker2d,
  'Ant-v4': Ant,
};
