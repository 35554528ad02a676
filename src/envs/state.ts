/** The saved state of the built-in envs: a float64 physics state, the step count, the reset PRNG. */
import type { Rng } from '../nn/rng.js';

export interface ClassicState {
  state: [number, number];
  steps: number;
  rng: [number, number, number, number];
}

export function classicState(state: [number, number], steps: number, rng: Rng): ClassicState {
  return { state: [state[0], state[1]], steps, rng: rng.state() };
}

/** Checks a ClassicState from a checkpoint, naming the env and the bad field. */
export function checkClassicState(env: string, s: unknown): ClassicState {
  const o = s as Partial<ClassicState> | null;
  const ok = o !== null && typeof o === 'object'
    && Array.isArray(o.state) && o.state.length === 2 && o.state.every((x) => typeof x === 'number' && Number.isFinite(x))
    && Number.isInteger(o.steps) && (o.steps as number) >= 0
    && Array.isArray(o.rng) && o.rng.length === 4;
  if (!ok) throw new RangeError(`${env}.setState: expected { state: [2 finite numbers], steps: integer >= 0, rng: [4 uint32] }, got ${JSON.stringify(s)}`);
  return o as ClassicState;
}
