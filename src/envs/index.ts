/** The built-in environments by their Gymnasium names. */
import { MountainCarContinuous } from './mountain-car.js';
import { loadMujoco, mujocoEnvs } from './mujoco/index.js';
import { Pendulum } from './pendulum.js';
import type { Env } from './types.js';

export type { BoxSpace, Env, Space, StepResult } from './types.js';
export { angleNormalize, Pendulum } from './pendulum.js';
export { MountainCarContinuous } from './mountain-car.js';
export { Ant, HalfCheetah, Hopper, loadMujoco, MujocoEnv, mujocoEnvs, Walker2d } from './mujoco/index.js';
export type { Mujoco, MujocoEnvOptions, MujocoEnvState } from './mujoco/index.js';

/** The classic-control envs, which construct synchronously with nothing to load. */
export const builtinEnvs: Record<string, () => Env> = {
  'Pendulum-v1': () => new Pendulum(),
  'MountainCarContinuous-v0': () => new MountainCarContinuous(),
};

/** Every built-in env's name: the classic ones, then the MuJoCo ones. */
export const envNames: readonly string[] = [...Object.keys(builtinEnvs), ...Object.keys(mujocoEnvs)];

export function makeBuiltinEnv(name: string): Env {
  const make = builtinEnvs[name];
  if (!make && mujocoEnvs[name]) throw new RangeError(`'${name}' is a MuJoCo environment, which loads asynchronously: make it with await makeEnv('${name}')`);
  if (!make) throw new RangeError(`unknown environment '${name}' (built in: ${Object.keys(builtinEnvs).join(', ')}; or give a path to a module)`);
  return make();
}

/** Any built-in env, ready to use: a MuJoCo one after loading MuJoCo (once). */
export async function makeEnv(name: string): Promise<Env> {
  if (builtinEnvs[name]) return builtinEnvs[name]();
  const Mujoco = mujocoEnvs[name];
  if (!Mujoco) throw new RangeError(`makeEnv: unknown environment '${name}' (built in: ${envNames.join(', ')})`);
  await loadMujoco();
  return new Mujoco();
}
