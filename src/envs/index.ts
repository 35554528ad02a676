/** The built-in environments by their Gymnasium names. */
import { MountainCarContinuous } from './mountain-car.js';
import { Pendulum } from './pendulum.js';
import type { Env } from './types.js';

export type { BoxSpace, Env, Space, StepResult } from './types.js';
export { angleNormalize, Pendulum } from './pendulum.js';
export { MountainCarContinuous } from './mountain-car.js';

export const builtinEnvs: Record<string, () => Env> = {
  'Pendulum-v1': () => new Pendulum(),
  'MountainCarContinuous-v0': () => new MountainCarContinuous(),
};

export function makeBuiltinEnv(name: string): Env {
  const make = builtinEnvs[name];
  if (!make) throw new RangeError(`unknown environment '${name}' (built in: ${Object.keys(builtinEnvs).join(', ')}; or give a path to a module)`);
  return make();
}
