/**
 * The environment contract (DESIGN.md), Gymnasium-like. A user's own environment is an ES
 * module whose default export is a class or a factory returning one of these.
 */
export interface Space {
  shape: [number];
}

export interface BoxSpace extends Space {
  low: number[];
  high: number[];
}

export interface StepResult {
  observation: ArrayLike<number>;
  reward: number;
  /** A true ending (the goal, a fall): the value of what follows is zero. */
  terminated: boolean;
  /** Cut off by a time limit: the episode could have gone on, so values still bootstrap. */
  truncated: boolean;
  /** Optional diagnostics, such as the reward's terms (the MuJoCo envs: reward_forward, reward_ctrl, ...). */
  info?: Record<string, number>;
}

export interface Env {
  observationSpace: Space;
  actionSpace: BoxSpace;
  /** The time limit Gymnasium registers the environment with, if any. */
  maxEpisodeSteps?: number;
  reset(seed?: number): ArrayLike<number>;
  step(action: Float32Array): StepResult;
  /**
   * Optional, for exact resume: everything the env needs to continue mid-episode, as plain
   * JSON (numbers are kept exactly). Without it, a resumed run restarts the open episode.
   */
  getState?(): unknown;
  /** Optional: restores what getState() returned. */
  setState?(state: unknown): void;
}
