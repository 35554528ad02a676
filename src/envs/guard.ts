/**
 * The env's answers, checked as they come, so a faulty env is named (with the step) rather
 * than found as a NaN three layers down: step() and reset() wrapped, their results checked
 * against the contract of envs/types.ts.
 */
import type { Env, StepResult } from './types.js';

/** Steps env, checking what comes back; `where` says which step ('step 12', 'test episode 1 step 3'). */
export function checkedStep(env: Env, name: string, action: Float32Array, obsDim: number, where: string): StepResult {
  let r: StepResult;
  try {
    r = env.step(action);
  } catch (e) {
    throw new Error(`env '${name}' ${where}: step() threw: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  if (!r || typeof r !== 'object') throw new TypeError(`env '${name}' ${where}: step() must return { observation, reward, terminated, truncated }, got ${String(r)}`);
  if (r.observation?.length !== obsDim) throw new RangeError(`env '${name}' ${where}: observation must have ${obsDim} values, got ${r.observation?.length}`);
  for (let i = 0; i < obsDim; i++) {
    if (!Number.isFinite(r.observation[i])) throw new RangeError(`env '${name}' ${where}: observation[${i}] is ${r.observation[i]}, not a finite number`);
  }
  if (typeof r.reward !== 'number' || !Number.isFinite(r.reward)) throw new RangeError(`env '${name}' ${where}: reward is ${String(r.reward)}, not a finite number`);
  if (typeof r.terminated !== 'boolean' || typeof r.truncated !== 'boolean')
    throw new TypeError(`env '${name}' ${where}: terminated and truncated must be booleans, got ${String(r.terminated)} and ${String(r.truncated)}`);
  return r;
}

/** Resets env with seed, checking the observation's length. */
export function checkedReset(env: Env, name: string, seed: number | undefined, obsDim: number): ArrayLike<number> {
  let o: ArrayLike<number>;
  try {
    o = env.reset(seed);
  } catch (e) {
    throw new Error(`env '${name}' reset: reset() threw: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  if (o?.length !== obsDim) throw new RangeError(`env '${name}' reset: observation must have ${obsDim} values, got ${o?.length}`);
  return o;
}
