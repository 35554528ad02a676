/**
 * MountainCarContinuous-v0 with Gymnasium's dynamics, reward, reset distribution and time
 * limit (gymnasium/envs/classic_control/continuous_mountain_car.py): drive an
 * under-powered car up the right hill. Observation [position, velocity], action a force
 * in [-1, 1], +100 on reaching the flag, minus 0.1 action^2 each step, 999 steps.
 */
import { Rng } from '../nn/rng.js';
import { ClassicEnv } from './state.js';
import type { BoxSpace, Env, Space, StepResult } from './types.js';

const MIN_ACTION = -1;
const MAX_ACTION = 1;
const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const MAX_SPEED = 0.07;
const GOAL_POSITION = 0.45;
const GOAL_VELOCITY = 0;
const POWER = 0.0015;

export class MountainCarContinuous extends ClassicEnv implements Env {
  readonly observationSpace: Space = { shape: [2] };
  readonly actionSpace: BoxSpace = { shape: [1], low: [MIN_ACTION], high: [MAX_ACTION] };
  readonly maxEpisodeSteps = 999;

  /** this.state (from ClassicEnv) is [position, velocity]. */
  constructor() {
    super('MountainCarContinuous');
  }

  reset(seed?: number): Float32Array {
    if (seed !== undefined) this.rng = new Rng(seed);
    this.state = [this.rng.uniformIn(-0.6, -0.4), 0];
    this.steps = 0;
    return Float32Array.from(this.state);
  }

  step(action: Float32Array): StepResult {
    let [position, velocity] = this.state;
    const force = Math.min(Math.max(action[0]!, MIN_ACTION), MAX_ACTION);
    velocity += force * POWER - 0.0025 * Math.cos(3 * position);
    velocity = Math.min(Math.max(velocity, -MAX_SPEED), MAX_SPEED);
    position += velocity;
    position = Math.min(Math.max(position, MIN_POSITION), MAX_POSITION);
    if (position === MIN_POSITION && velocity < 0) velocity = 0; // the left wall is inelastic
    const terminated = position >= GOAL_POSITION && velocity >= GOAL_VELOCITY;
    // Gymnasium charges the action as given, before it is clipped into the force.
    const reward = (terminated ? 100 : 0) - action[0]! ** 2 * 0.1;
    this.state = [position, velocity];
    this.steps++;
    return { observation: Float32Array.from(this.state), reward, terminated, truncated: !terminated && this.steps >= this.maxEpisodeSteps };
  }
}
