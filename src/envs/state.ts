/**
 * What the built-in envs share for exact resume: a float64 physics state of two numbers,
 * the step count and the reset PRNG, saved by getState() as plain JSON and put back by
 * setState(). Pendulum and MountainCarContinuous extend ClassicEnv.
 */
import { Rng } from '../nn/rng.js';

export interface ClassicState {
  state: [number, number];
  steps: number;
  rng: [number, number, number, number];
}

export abstract class ClassicEnv {
  state: [number, number] = [0, 0];
  protected rng = new Rng(0);
  protected steps = 0;

  /** `name` is the env's name in setState's errors. */
  protected constructor(private readonly name: string) {}

  /** The physics state, the step count and the reset PRNG: enough to continue mid-episode. */
  getState(): ClassicState {
    return { state: [this.state[0], this.state[1]], steps: this.steps, rng: this.rng.state() };
  }

  /** Restores what getState() returned, checked field by field. */
  setState(saved: unknown): void {
    const o = saved as Partial<ClassicState> | null;
    const ok = o !== null && typeof o === 'object'
      && Array.isArray(o.state) && o.state.length === 2 && o.state.every((x) => typeof x === 'number' && Number.isFinite(x))
      && Number.isInteger(o.steps) && (o.steps as number) >= 0
      && Array.isArray(o.rng) && o.rng.length === 4;
    if (!ok) throw new RangeError(`${this.name}.setState: expected { state: [2 finite numbers], steps: integer >= 0, rng: [4 uint32] }, got ${JSON.stringify(saved)}`);
    const s = o as ClassicState;
    const rng = new Rng(0);
    rng.setState(s.rng);
    this.state = [s.state[0], s.state[1]];
    this.steps = s.steps;
    this.rng = rng;
  }
}
