/**
 * Finding an environment by name: a built-in (Gymnasium's name), or a path to an ES module
 * whose default export is an Env class or a factory, or a promise of one (DESIGN.md's
 * contract), checked once on load so a malformed module is named before training starts.
 * MuJoCo is loaded here when the env needs it (a MuJoCo name, or a class extending
 * MujocoEnv), so the factory returned constructs synchronously.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { builtinEnvs, envNames, loadMujoco, MujocoEnv, mujocoEnvs } from './index.js';
import type { Env } from './types.js';

/** Thrown for an env name or module that cannot be used (the CLI shows it as a usage error). */
export class EnvSpecError extends Error {}

/** A built-in name as is; a module path made absolute, so it is found again from anywhere. */
export function envSpecOf(spec: string): string {
  return builtinEnvs[spec] || mujocoEnvs[spec] ? spec : resolve(spec);
}

export async function loadEnvFactory(spec: string): Promise<() => Env> {
  const builtin = builtinEnvs[spec];
  if (builtin) return builtin;
  const Mujoco = mujocoEnvs[spec];
  if (Mujoco) {
    await loadMujoco();
    return () => new Mujoco();
  }
  if (!/[/\\]|\.m?js$/.test(spec)) throw new EnvSpecError(`--env: unknown environment '${spec}' (built in: ${envNames.join(', ')}; or a path to a module)`);
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(resolve(spec)).href);
  } catch (e) {
    throw new EnvSpecError(`--env: cannot load the module '${spec}': ${(e as Error).message}`);
  }
  let exp: unknown;
  try {
    exp = await mod.default;
  } catch (e) {
    throw new EnvSpecError(`--env: the default export of '${spec}' is a promise that failed: ${(e as Error)?.message ?? String(e)}`);
  }
  if (typeof exp !== 'function') throw new EnvSpecError(`--env: '${spec}' must default-export an Env class or a factory function (or a promise of one), got ${typeof exp}`);
  const isClass = /^class\b/.test(Function.prototype.toString.call(exp));
  if (isClass && exp.prototype instanceof MujocoEnv) await loadMujoco();
  const make = () => (isClass ? new (exp as new () => Env)() : (exp as () => Env)());
  let env: Env;
  try {
    env = make();
  } catch (e) {
    throw new EnvSpecError(`--env '${spec}': making the env threw: ${(e as Error)?.message ?? String(e)}`);
  }
  const problems: string[] = [];
  if (!Array.isArray(env?.observationSpace?.shape) || !Number.isInteger(env.observationSpace.shape[0])) problems.push('observationSpace.shape must be [obs_dim]');
  const as = env?.actionSpace;
  if (!as || !Array.isArray(as.low) || !Array.isArray(as.high) || as.low.length !== as.shape?.[0] || as.high.length !== as.shape?.[0])
    problems.push('actionSpace needs shape [act_dim] and low/high arrays of act_dim numbers');
  if (typeof env?.reset !== 'function' || typeof env?.step !== 'function') problems.push('reset() and step() must be functions');
  if (problems.length) throw new EnvSpecError(`--env '${spec}': ${problems.join('; ')}`);
  if (env instanceof MujocoEnv) env.close(); // its model and data are on the wasm heap
  return make;
}

