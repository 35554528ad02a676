import * as is from '../check/is.js';
import type { OptionGroups } from '../check/is.js';

/**
 * Every hyperparameter of softac's SAC in one typed, documented object with one defaults
 * object (CleanRL style). Defaults are Spinning Up's sac() defaults unless noted.
 */
export interface SacOptions {
  /** Hidden layer sizes of the actor and both Q-networks (Spinning Up: (256, 256)). */
  hidden: number[];
  /** Discount factor. */
  gamma: number;
  /** Target networks: targ = polyak * targ + (1 - polyak) * online, after every update. */
  polyak: number;
  /** Learning rate of both optimizers, unless piLr / qLr are given. */
  lr: number;
  /** Learning rate of the policy (and of log alpha when alpha is 'auto'); default lr. */
  piLr?: number;
  /** Learning rate of the Q-networks; default lr. */
  qLr?: number;
  /** Entropy coefficient, or 'auto' to learn log alpha towards entropy -act_dim (as SB3). */
  alpha: number | 'auto';
  /** Transitions per gradient step. */
  batchSize: number;
  /** Environment steps per epoch. */
  stepsPerEpoch: number;
  epochs: number;
  /** Capacity of the replay buffer. */
  replaySize: number;
  /** Uniform random actions for this many first steps (exploration). */
  startSteps: number;
  /** Gradient updates start after this many steps, so the buffer holds enough data. */
  updateAfter: number;
  /** Updates happen every this many steps, as a burst of that many (1 update per step). */
  updateEvery: number;
  /** Deterministic test episodes at the end of each epoch. */
  numTestEpisodes: number;
  /** Episode length cap (the environment's own limit applies when smaller). */
  maxEpLen: number;
  /**
   * The policy step (and the alpha step) runs on every policyDelay-th Q step, then
   * policyDelay times in a row, so policy updates per env step stay the same (TD3's delayed
   * policy updates, as CleanRL's policy_frequency). 1 is Spinning Up's behaviour.
   */
  policyDelay: number;
  /** Polyak averaging runs every this many Q steps (1: after every update, as Spinning Up). */
  targetUpdateInterval: number;
  /**
   * Exploration noise is drawn on every exploreHold-th environment step (and on the first
   * policy step) and held in between: the uniform random action during startSteps, the
   * policy's eps after it (a = tanh(mu(o) + std(o) eps) with eps held, as gSDE's
   * sde_sample_freq). Temporally correlated exploration for sparse rewards such as
   * MountainCarContinuous; 1 draws anew every step, as Spinning Up. Test episodes are
   * deterministic and unaffected.
   */
  exploreHold: number;
}

export const defaults: SacOptions = {
  hidden: [256, 256],
  gamma: 0.99,
  polyak: 0.995,
  lr: 1e-3,
  alpha: 0.2,
  batchSize: 100,
  stepsPerEpoch: 4000,
  epochs: 100,
  replaySize: 1_000_000,
  startSteps: 10_000,
  updateAfter: 1000,
  updateEvery: 50,
  numTestEpisodes: 10,
  maxEpLen: 1000,
  policyDelay: 1,
  targetUpdateInterval: 1,
  exploreHold: 1,
};

/** One line per option for `softac train --help`, the same words as the interface's JSDoc. */
export const optionDocs: Record<keyof SacOptions, string> = {
  hidden: 'hidden layer sizes of the actor and both Q-networks',
  gamma: 'discount factor',
  polyak: 'target networks: targ = polyak targ + (1 - polyak) online, after every update',
  lr: 'learning rate of both optimizers, unless pi-lr / q-lr are given',
  piLr: 'learning rate of the policy (and of log alpha when alpha is auto)',
  qLr: 'learning rate of the Q-networks',
  alpha: "entropy coefficient, or 'auto' to learn it towards entropy -act_dim",
  batchSize: 'transitions per gradient step',
  stepsPerEpoch: 'environment steps per epoch',
  epochs: 'number of epochs',
  replaySize: 'capacity of the replay buffer',
  startSteps: 'uniform random actions for this many first steps',
  updateAfter: 'gradient updates start after this many steps',
  updateEvery: 'update every this many steps, as a burst of that many updates',
  numTestEpisodes: 'deterministic test episodes at the end of each epoch',
  maxEpLen: "episode length cap (the environment's own limit applies when smaller)",
  policyDelay: 'policy (and alpha) steps run on every d-th Q step, d of them in a row',
  targetUpdateInterval: 'polyak averaging of the targets every this many Q steps',
  exploreHold: 'draw exploration noise (random action, then policy eps) every this many steps, hold it in between',
};

/** Every SacOptions key, in the order of the docs. */
export const optionKeys = Object.keys(optionDocs) as (keyof SacOptions)[];

/**
 * Fills in defaults and checks every field, naming the field, the expected and the received
 * value; an unknown key is refused with the closest valid one. `where` and `prefix` say
 * where the object was (trainInWorker's 'options.'), `elsewhere` where else a key may belong.
 */
export function resolveOptions(partial: Partial<SacOptions> = {}, where = 'SAC options', prefix = '', elsewhere: OptionGroups = {}): SacOptions {
  is.plainObject(prefix ? `${where}: '${prefix.slice(0, -1)}'` : where, partial);
  is.knownKeys(where, partial, optionKeys, prefix, elsewhere);
  const o: SacOptions = { ...defaults, ...partial };
  const subject = (field: keyof SacOptions) => `SAC option '${field}'`;
  // Upper bounds far past any real run, so that a value from a flag or a checkpoint file can
  // never ask for an absurd allocation (sizes) or overflow a step counter (2^40 steps).
  const posInt = (field: keyof SacOptions, min = 1, max = 2 ** 40) => is.integer(subject(field), o[field], min, max);
  const layers = 'a list of 1 to 64 layer widths, each an integer from 1 to 65536';
  if (!Array.isArray(o.hidden)) throw is.invalidParameterError(subject('hidden'), layers, o.hidden, 'type');
  if (o.hidden.length === 0 || o.hidden.length > 64 || !o.hidden.every((h) => Number.isInteger(h) && h >= 1 && h <= 65536))
    throw new RangeError(`${subject('hidden')} must be ${layers}, got [${o.hidden.map(is.describe).join(', ')}]`);
  is.finite(subject('gamma'), o.gamma, 0, 1);
  is.finite(subject('polyak'), o.polyak, 0, 1);
  for (const f of ['lr', 'piLr', 'qLr'] as const) {
    const v = o[f];
    if (v === undefined && f !== 'lr') continue;
    if (typeof v !== 'number') throw is.invalidParameterError(subject(f), 'a finite number > 0', v, 'type');
    if (!Number.isFinite(v) || v <= 0) throw is.invalidParameterError(subject(f), 'a finite number > 0', v);
  }
  if (o.alpha !== 'auto') {
    if (typeof o.alpha !== 'number') throw is.invalidParameterError(subject('alpha'), "a number >= 0 or 'auto'", o.alpha, 'type');
    if (!Number.isFinite(o.alpha) || o.alpha < 0) throw is.invalidParameterError(subject('alpha'), "a number >= 0 or 'auto'", o.alpha);
  }
  posInt('batchSize', 1, 2 ** 20);
  posInt('replaySize', 1, 2 ** 31);
  for (const f of ['stepsPerEpoch', 'epochs', 'updateEvery', 'maxEpLen', 'policyDelay', 'targetUpdateInterval', 'exploreHold'] as const) posInt(f);
  for (const f of ['startSteps', 'updateAfter', 'numTestEpisodes'] as const) posInt(f, 0);
  return o;
}
