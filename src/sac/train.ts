/**
 * The training loop of Spinning Up's sac(), top to bottom: uniform random actions for
 * start_steps, then the policy; every update_every steps, a burst of update_every updates;
 * a deterministic test at the end of each epoch. Gymnasium's split of episode ends is kept:
 * a true termination is stored as done, a time-limit cut (the env's own, or max_ep_len) is
 * not, so the backup still bootstraps through it (Spinning Up's `d = False if
 * ep_len==max_ep_len else d`).
 */
import type { Env, StepResult } from '../envs/types.js';
import type { Kernels } from '../kernels/index.js';
import { Rng } from '../nn/rng.js';
import { ReplayBuffer } from './buffer.js';
import type { SacOptions } from './options.js';
import { SAC, type UpdateInfo } from './sac.js';

export interface Stat {
  average: number;
  std: number;
  max: number;
  min: number;
}

/** One row of Spinning Up's epoch table. */
export interface EpochStats {
  epoch: number;
  epRet: Stat;
  epLen: number;
  testEpRet: Stat;
  testEpLen: number;
  totalEnvInteracts: number;
  /** Over every Q1 / Q2 / logp_pi value of the epoch's update batches (Spinning Up's with_min_and_max). */
  q1Vals: Stat;
  q2Vals: Stat;
  logPi: Stat;
  lossPi: number;
  lossQ: number;
  alpha: number;
  /** Seconds since training started. */
  time: number;
}

export interface TrainCallbacks {
  /** After every environment step (t counts from 1). */
  onStep?(t: number, total: number): void;
  onEpoch?(stats: EpochStats): void;
}

/** Running count, sum, sum of squares, min and max: a Stat over many batches without keeping them. */
export class Moments {
  n = 0;
  sum = 0;
  sumSq = 0;
  min = Infinity;
  max = -Infinity;

  add(xs: ArrayLike<number>): void {
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      this.n++;
      this.sum += x;
      this.sumSq += x * x;
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
    }
  }

  stat(): Stat {
    if (this.n === 0) return { average: NaN, std: NaN, max: NaN, min: NaN };
    const average = this.sum / this.n;
    return { average, std: Math.sqrt(Math.max(0, this.sumSq / this.n - average * average)), max: this.max, min: this.min };
  }
}

export function stat(xs: readonly number[]): Stat {
  if (xs.length === 0) return { average: NaN, std: NaN, max: NaN, min: NaN };
  const average = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - average) ** 2, 0) / xs.length);
  return { average, std, max: Math.max(...xs), min: Math.min(...xs) };
}

/** Steps env, checking what comes back so a faulty env is named, not a NaN three layers down. */
function checkedStep(env: Env, name: string, action: Float32Array, obsDim: number, t: number): StepResult {
  const r = env.step(action);
  if (!r || typeof r !== 'object') throw new TypeError(`env '${name}' step ${t}: step() must return { observation, reward, terminated, truncated }, got ${String(r)}`);
  if (r.observation?.length !== obsDim) throw new RangeError(`env '${name}' step ${t}: observation must have ${obsDim} values, got ${r.observation?.length}`);
  for (let i = 0; i < obsDim; i++) {
    if (!Number.isFinite(r.observation[i])) throw new RangeError(`env '${name}' step ${t}: observation[${i}] is ${r.observation[i]}, not a finite number`);
  }
  if (typeof r.reward !== 'number' || !Number.isFinite(r.reward)) throw new RangeError(`env '${name}' step ${t}: reward is ${String(r.reward)}, not a finite number`);
  if (typeof r.terminated !== 'boolean' || typeof r.truncated !== 'boolean')
    throw new TypeError(`env '${name}' step ${t}: terminated and truncated must be booleans, got ${String(r.terminated)} and ${String(r.truncated)}`);
  return r;
}

function checkedReset(env: Env, name: string, seed: number | undefined, obsDim: number): ArrayLike<number> {
  const o = env.reset(seed);
  if (o?.length !== obsDim) throw new RangeError(`env '${name}' reset: observation must have ${obsDim} values, got ${o?.length}`);
  return o;
}

export interface TrainSetup {
  k: Kernels;
  makeEnv: () => Env;
  envName: string;
  options?: Partial<SacOptions>;
  seed?: number;
  /** Called once with the agent before training starts (to save it at each epoch, say). */
  onAgent?(agent: SAC): void;
}

/** Trains SAC; returns the agent (parameters, targets, optimizers), its replay buffer and every epoch's stats. */
export function train(setup: TrainSetup, cb: TrainCallbacks = {}): { agent: SAC; buffer: ReplayBuffer; epochs: EpochStats[] } {
  const seed = setup.seed ?? 0;
  const env = setup.makeEnv(), testEnv = setup.makeEnv();
  const obsDim = env.observationSpace.shape[0], { low, high } = env.actionSpace;
  const agent = new SAC(setup.k, obsDim, { low, high }, setup.options, seed);
  setup.onAgent?.(agent);
  const o_ = agent.opts, actDim = low.length;
  const maxEpLen = Math.min(o_.maxEpLen, env.maxEpisodeSteps ?? Infinity);
  const buffer = new ReplayBuffer(obsDim, actDim, o_.replaySize);
  const explore = new Rng((seed + 0xe4e) >>> 0);
  const sampler = new Rng((seed + 0xb0f) >>> 0);
  const start = performance.now();
  const totalSteps = o_.stepsPerEpoch * o_.epochs;
  const epochs: EpochStats[] = [];

  let episodes = 0;
  let o = checkedReset(env, setup.envName, seed, obsDim), epRet = 0, epLen = 0;
  let rets: number[] = [], lens: number[] = [], infos: UpdateInfo[] = [];
  let q1Vals = new Moments(), q2Vals = new Moments(), logPis = new Moments();
  const a = new Float32Array(actDim);
  for (let t = 0; t < totalSteps; t++) {
    // Uniform random actions first, for better exploration; then the policy's samples.
    if (t > o_.startSteps) a.set(agent.act(o));
    else for (let j = 0; j < actDim; j++) a[j] = explore.uniformIn(low[j]!, high[j]!);
    const r = checkedStep(env, setup.envName, a, obsDim, t + 1);
    epRet += r.reward;
    epLen++;
    // Only a true termination is done; hitting a time limit is not (the trap: storing it as
    // done teaches Q that the world ends at step 200).
    buffer.store(o, a, r.reward, r.observation, r.terminated);
    o = r.observation;
    if (r.terminated || r.truncated || epLen === maxEpLen) {
      rets.push(epRet);
      lens.push(epLen);
      episodes++;
      o = checkedReset(env, setup.envName, (seed + episodes) >>> 0, obsDim);
      epRet = 0;
      epLen = 0;
    }
    if (t >= o_.updateAfter && t % o_.updateEvery === 0) {
      for (let j = 0; j < o_.updateEvery; j++) {
        infos.push(agent.update(buffer.sampleBatch(o_.batchSize, sampler)));
        q1Vals.add(agent.last.q1);
        q2Vals.add(agent.last.q2);
        logPis.add(agent.last.logPi);
      }
    }
    cb.onStep?.(t + 1, totalSteps);
    if ((t + 1) % o_.stepsPerEpoch === 0) {
      const epoch = (t + 1) / o_.stepsPerEpoch;
      const test = testAgent(agent, testEnv, setup.envName, o_.numTestEpisodes, maxEpLen, (seed + 1_000_003 * epoch) >>> 0);
      const mean = (f: (u: UpdateInfo) => number) => (infos.length ? infos.reduce((s, u) => s + f(u), 0) / infos.length : NaN);
      const stats: EpochStats = {
        epoch, epRet: stat(rets), epLen: stat(lens).average, testEpRet: stat(test.rets), testEpLen: stat(test.lens).average,
        totalEnvInteracts: t + 1, q1Vals: q1Vals.stat(), q2Vals: q2Vals.stat(), logPi: logPis.stat(),
        lossPi: mean((u) => u.lossPi), lossQ: mean((u) => u.lossQ), alpha: agent.alpha, time: (performance.now() - start) / 1000,
      };
      epochs.push(stats);
      cb.onEpoch?.(stats);
      rets = [];
      lens = [];
      infos = [];
      q1Vals = new Moments();
      q2Vals = new Moments();
      logPis = new Moments();
    }
  }
  return { agent, buffer, epochs };
}

/** Anything that acts: a training SAC agent or a loaded Policy. */
export interface Acting {
  sizes: { obsDim: number };
  act(obs: ArrayLike<number>, deterministic?: boolean): Float32Array;
}

/** Deterministic episodes (the mean action) on a separate env, as Spinning Up's test_agent. */
export function testAgent(agent: Acting, env: Env, name: string, episodes: number, maxEpLen: number, seed: number): { rets: number[]; lens: number[] } {
  const rets: number[] = [], lens: number[] = [];
  const obsDim = agent.sizes.obsDim;
  for (let e = 0; e < episodes; e++) {
    let o = checkedReset(env, name, (seed + e) >>> 0, obsDim), ret = 0, len = 0;
    for (;;) {
      const r = checkedStep(env, name, agent.act(o, true), obsDim, len + 1);
      ret += r.reward;
      len++;
      o = r.observation;
      if (r.terminated || r.truncated || len === maxEpLen) break;
    }
    rets.push(ret);
    lens.push(len);
  }
  return { rets, lens };
}
