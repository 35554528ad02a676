/**
 * Pendulum-v1 with Gymnasium's dynamics, reward, reset distribution and time limit
 * (gymnasium/envs/classic_control/pendulum.py): swing a pendulum up and hold it.
 * Observation [cos th, sin th, th_dot], action a torque in [-2, 2], 200 steps.
 * The state is kept in float64, as numpy does; observations are rounded to float32.
 */
import { Rng } from '../nn/rng.js';
import { ClassicEnv } from './state.js';
import type { BoxSpace, Env, Space, StepResult } from './types.js';

const MAX_SPEED = 8;
const MAX_TORQUE = 2;
const DT = 0.05;
const G = 10;
const M = 1;
const L = 1;

/** An angle in [-pi, pi): ((x + pi) mod 2 pi) - pi, with a floor modulo as Python's %. */
export function angleNormalize(x: number): number {
  const twoPi = 2 * Math.PI;
  const y = x + Math.PI;
  return y - twoPi * Math.floor(y / twoPi) - Math.PI;
}

export class Pendulum extends ClassicEnv implements Env {
  readonly observationSpace: Space = { shape: [3] };
  readonly actionSpace: BoxSpace = { shape: [1], low: [-MAX_TORQUE], high: [MAX_TORQUE] };
  readonly maxEpisodeSteps = 200;
  /** Seconds per step. */
  readonly dt = DT;

  /** this.state (from ClassicEnv) is [th, th_dot]. */
  constructor() {
    super('Pendulum');
  }

  reset(seed?: number): Float32Array {
    if (seed !== undefined) this.rng = new Rng(seed);
    // Uniform in [-pi, pi] x [-1, 1] (DEFAULT_X, DEFAULT_Y).
    this.state = [this.rng.uniformIn(-Math.PI, Math.PI), this.rng.uniformIn(-1, 1)];
    this.steps = 0;
    return this.observation();
  }

  step(action: Float32Array): StepResult {
    const [th, thdot] = this.state;
    const u = Math.min(Math.max(action[0]!, -MAX_TORQUE), MAX_TORQUE);
    const costs = angleNormalize(th) ** 2 + 0.1 * thdot ** 2 + 0.001 * u ** 2;
    let newthdot = thdot + ((3 * G) / (2 * L) * Math.sin(th) + (3 / (M * L * L)) * u) * DT;
    newthdot = Math.min(Math.max(newthdot, -MAX_SPEED), MAX_SPEED);
    const newth = th + newthdot * DT;
    this.state = [newth, newthdot];
    this.steps++;
    return { observation: this.observation(), reward: -costs, terminated: false, truncated: this.steps >= this.maxEpisodeSteps };
  }

  private observation(): Float32Array {
    const [th, thdot] = this.state;
    return Float32Array.of(Math.cos(th), Math.sin(th), thdot);
  }
}
