/**
 * The training loop of Spinning Up's sac(), top to bottom: uniform random actions for
 * start_steps, then the policy; every update_every steps, a burst of update_every updates;
 * a deterministic test at the end of each epoch. Gymnasium's split of episode ends is kept:
 * a true termination is stored as done, a time-limit cut (the env's own, or max_ep_len) is
 * not, so the backup still bootstraps through it (Spinning Up's `d = False if
 * ep_len==max_ep_len else d`).
 */
import * as is from '../check/is.js';
import type { Env, StepResult } from '../envs/types.js';
import type { Kernels } from '../kernels/index.js';
import { Rng } from '../nn/rng.js';
import { ReplayBuffer } from './buffer.js';
import { optionKeys, resolveOptions, type SacOptions } from './options.js';
import type { NamedTensor } from '../io/safetensors.js';
import { type AgentState, SAC, type UpdateInfo } from './sac.js';

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
function checkedStep(env: Env, name: string, action: Float32Array, obsDim: number, where: string): StepResult {
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

function checkedReset(env: Env, name: string, seed: number | undefined, obsDim: number): ArrayLike<number> {
  let o: ArrayLike<number>;
  try {
    o = env.reset(seed);
  } catch (e) {
    throw new Error(`env '${name}' reset: reset() threw: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
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

const SETUP_KEYS = ['k', 'makeEnv', 'envName', 'options', 'seed', 'onAgent'] as const;
const RESTORE_KEYS = ['k', 'makeEnv', 'envName', 'epochs', 'onAgent'] as const;
const CALLBACK_KEYS = ['onStep', 'onEpoch'] as const;

/**
 * A setup (train, Trainer, Trainer.restore) and its callbacks, checked before anything is
 * built: unknown or misplaced keys (a SacOptions field belongs in options), and types.
 */
function checkSetup(where: string, setup: unknown, keys: readonly string[], cb: unknown): void {
  is.plainObject(`${where}: setup`, setup);
  is.knownKeys(where, setup, keys, '', keys.includes('options') ? { 'options.': optionKeys } : {});
  const subject = (key: string) => `${where}: '${key}'`;
  const k = setup.k as { info?: unknown } | null | undefined;
  if (k === null || typeof k !== 'object' || typeof k.info !== 'function') throw is.invalidParameterError(subject('k'), 'a Kernels object (from getKernels())', k, 'type');
  is.func(subject('makeEnv'), setup.makeEnv);
  is.string(subject('envName'), setup.envName);
  if (setup.seed !== undefined) is.integer(subject('seed'), setup.seed, 0, 0xffffffff);
  if (setup.epochs !== undefined) is.integer(subject('epochs'), setup.epochs, 1);
  if (setup.onAgent !== undefined) is.func(subject('onAgent'), setup.onAgent);
  if (setup.options !== undefined) resolveOptions(setup.options as Partial<SacOptions>, where, 'options.', { '': keys });
  is.plainObject(`${where}: callbacks`, cb);
  is.knownKeys(`${where} callbacks`, cb, CALLBACK_KEYS);
  for (const key of CALLBACK_KEYS) if (cb[key] !== undefined) is.func(`${where}: callback '${key}'`, cb[key]);
}

/** What a finished (or stopped) run returns. */
export interface TrainResult {
  agent: SAC;
  buffer: ReplayBuffer;
  epochs: EpochStats[];
}

/** Moments as plain numbers, for a checkpoint. */
interface MomentsState {
  n: number;
  sum: number;
  sumSq: number;
  min: number;
  max: number;
}

/** The JSON part of a training checkpoint (see Trainer.saveState). */
export interface TrainerState {
  envName: string;
  seed: number;
  options: SacOptions;
  obsDim: number;
  bounds: { low: number[]; high: number[] };
  /** Environment steps taken. */
  t: number;
  episodes: number;
  /** The open episode: its observation, return and length, and the env's own state. */
  obs: number[];
  epRet: number;
  epLen: number;
  env: unknown;
  rng: { explore: number[]; sampler: number[] };
  /** The exploration noise held between draws (exploreHold > 1): a random action, or the policy's eps. */
  heldNoise?: number[];
  agent: AgentState;
  buffer: { ptr: number; size: number };
  /** The unfinished epoch's accumulators. */
  epoch: { rets: number[]; lens: number[]; updates: number; piUpdates: number; lossPiSum: number; lossQSum: number; q1: MomentsState; q2: MomentsState; logPi: MomentsState };
  history: EpochStats[];
  /** Seconds of training before this checkpoint. */
  elapsed: number;
}

/** Thrown when a loss, gradient or parameter turns non-finite: names the step, the tensor and the index. */
export class NonFiniteError extends Error {}

/**
 * Spinning Up's loop as a resumable object: step() takes one environment step (with its
 * burst of updates and, at an epoch's end, the test); saveState()/Trainer.restore() carry
 * every number the loop depends on, so a restored trainer continues bit for bit.
 */
export class Trainer {
  readonly agent: SAC;
  readonly buffer: ReplayBuffer;
  readonly epochs: EpochStats[] = [];
  readonly obsDim: number;
  readonly actDim: number;
  readonly maxEpLen: number;
  readonly seed: number;
  readonly envName: string;
  /** Environment steps taken. */
  t = 0;
  private readonly env: Env;
  private readonly testEnv: Env;
  private readonly low: readonly number[];
  private readonly high: readonly number[];
  private readonly explore: Rng;
  private readonly sampler: Rng;
  private episodes = 0;
  private o: ArrayLike<number> = [];
  private epRet = 0;
  private epLen = 0;
  private rets: number[] = [];
  private lens: number[] = [];
  private updates = 0;
  /** Updates that ran policy steps (all of them unless policyDelay > 1). */
  private piUpdates = 0;
  private lossPiSum = 0;
  private lossQSum = 0;
  private q1Vals = new Moments();
  private q2Vals = new Moments();
  private logPis = new Moments();
  private readonly a: Float32Array;
  /** The exploration noise in use: the uniform random action (startSteps), then the policy's eps. */
  private readonly held: Float32Array;
  /** performance.now() when this process started (or resumed) training, minus the time before. */
  private startMs: number;
  /** Set by restore when the env could not be put back mid-episode (it has no setState). */
  readonly inexact: string | null = null;

  /** `resume` is for Trainer.restore, which has checked the state with checkTrainerState. */
  constructor(setup: TrainSetup, private readonly cb: TrainCallbacks = {}, resume?: { state: TrainerState; tensors: ReadonlyMap<string, NamedTensor> }) {
    if (!resume) checkSetup('Trainer', setup, SETUP_KEYS, cb);
    this.seed = setup.seed ?? 0;
    this.envName = setup.envName;
    this.env = setup.makeEnv();
    this.testEnv = setup.makeEnv();
    this.obsDim = this.env.observationSpace.shape[0];
    ({ low: this.low, high: this.high } = this.env.actionSpace);
    this.actDim = this.low.length;
    this.agent = new SAC(setup.k, this.obsDim, { low: this.low, high: this.high }, setup.options, this.seed);
    const o_ = this.agent.opts;
    this.maxEpLen = Math.min(o_.maxEpLen, this.env.maxEpisodeSteps ?? Infinity);
    this.buffer = new ReplayBuffer(this.obsDim, this.actDim, o_.replaySize);
    this.explore = new Rng((this.seed + 0xe4e) >>> 0);
    this.sampler = new Rng((this.seed + 0xb0f) >>> 0);
    this.a = new Float32Array(this.actDim);
    this.held = new Float32Array(this.actDim);
    this.startMs = performance.now();
    if (resume) {
      this.inexact = this.loadState(resume.state, resume.tensors);
    } else {
      this.o = checkedReset(this.env, this.envName, this.seed, this.obsDim);
    }
    setup.onAgent?.(this.agent);
  }

  get totalSteps(): number {
    return this.agent.opts.stepsPerEpoch * this.agent.opts.epochs;
  }

  get done(): boolean {
    return this.t >= this.totalSteps;
  }

  /** One environment step, its updates when due, and the epoch's end (test, stats) when due. */
  step(): EpochStats | null {
    const o_ = this.agent.opts, t = this.t, a = this.a, name = this.envName;
    // Uniform random actions first, for better exploration; then the policy's samples. With
    // exploreHold N > 1 the noise (the random action, then eps) is drawn every N steps and
    // on the first policy step, and held in between.
    const hold = o_.exploreHold, draw = t % hold === 0;
    if (t > o_.startSteps) {
      if (hold === 1) a.set(this.agent.act(this.o));
      else {
        if (draw || t === o_.startSteps + 1) this.agent.rng.fillNormal(this.held);
        a.set(this.agent.actWithNoise(this.o, this.held));
      }
    } else {
      if (draw) for (let j = 0; j < this.actDim; j++) this.held[j] = this.explore.uniformIn(this.low[j]!, this.high[j]!);
      a.set(this.held);
    }
    const r = checkedStep(this.env, name, a, this.obsDim, `step ${t + 1}`);
    this.epRet += r.reward;
    this.epLen++;
    // Only a true termination is done; hitting a time limit is not (the trap: storing it as
    // done teaches Q that the world ends at step 200).
    this.buffer.store(this.o, a, r.reward, r.observation, r.terminated);
    this.o = r.observation;
    if (r.terminated || r.truncated || this.epLen === this.maxEpLen) {
      this.rets.push(this.epRet);
      this.lens.push(this.epLen);
      this.episodes++;
      this.o = checkedReset(this.env, name, (this.seed + this.episodes) >>> 0, this.obsDim);
      this.epRet = 0;
      this.epLen = 0;
    }
    if (t >= o_.updateAfter && t % o_.updateEvery === 0) {
      for (let j = 0; j < o_.updateEvery; j++) {
        const info = this.agent.update(this.buffer.sampleBatch(o_.batchSize, this.sampler));
        this.checkFinite(t + 1, info);
        this.updates++;
        this.lossQSum += info.lossQ;
        this.q1Vals.add(this.agent.last.q1);
        this.q2Vals.add(this.agent.last.q2);
        if (info.piSteps > 0) {
          this.piUpdates++;
          this.lossPiSum += info.lossPi;
          this.logPis.add(this.agent.last.logPi);
        }
      }
    }
    this.t = t + 1;
    this.cb.onStep?.(this.t, this.totalSteps);
    if (this.t % o_.stepsPerEpoch !== 0) return null;
    return this.endEpoch();
  }

  private endEpoch(): EpochStats {
    const o_ = this.agent.opts, epoch = this.t / o_.stepsPerEpoch;
    const test = testAgent(this.agent, this.testEnv, this.envName, o_.numTestEpisodes, this.maxEpLen, (this.seed + 1_000_003 * epoch) >>> 0);
    const mean = (sum: number, n: number) => (n ? sum / n : NaN);
    const stats: EpochStats = {
      epoch, epRet: stat(this.rets), epLen: stat(this.lens).average, testEpRet: stat(test.rets), testEpLen: stat(test.lens).average,
      totalEnvInteracts: this.t, q1Vals: this.q1Vals.stat(), q2Vals: this.q2Vals.stat(), logPi: this.logPis.stat(),
      lossPi: mean(this.lossPiSum, this.piUpdates), lossQ: mean(this.lossQSum, this.updates), alpha: this.agent.alpha, time: this.elapsed(),
    };
    this.epochs.push(stats);
    this.rets = [];
    this.lens = [];
    this.updates = 0;
    this.piUpdates = 0;
    this.lossPiSum = 0;
    this.lossQSum = 0;
    this.q1Vals = new Moments();
    this.q2Vals = new Moments();
    this.logPis = new Moments();
    this.cb.onEpoch?.(stats);
    return stats;
  }

  /** Seconds of training, across resumes. */
  elapsed(): number {
    return (performance.now() - this.startMs) / 1000;
  }

  /** Runs to the end, synchronously. */
  run(): TrainResult {
    while (!this.done) this.step();
    return { agent: this.agent, buffer: this.buffer, epochs: this.epochs };
  }

  /**
   * Runs to the end, or until shouldStop() says so, giving the event loop a turn every
   * sliceMs (signal handlers, timers and I/O run between slices). Resolves with whether it
   * stopped early; a stop lands between two environment steps, where saveState() is exact.
   */
  async runAsync(opts: { shouldStop?: () => boolean; sliceMs?: number } = {}): Promise<{ stopped: boolean }> {
    is.plainObject('Trainer.runAsync: options', opts);
    is.knownKeys('Trainer.runAsync', opts, ['shouldStop', 'sliceMs']);
    if (opts.shouldStop !== undefined) is.func("Trainer.runAsync: option 'shouldStop'", opts.shouldStop);
    if (opts.sliceMs !== undefined) is.finite("Trainer.runAsync: option 'sliceMs'", opts.sliceMs, 0);
    const sliceMs = opts.sliceMs ?? 25;
    while (!this.done) {
      const until = performance.now() + sliceMs;
      do this.step(); while (!this.done && performance.now() < until);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (opts.shouldStop?.()) return { stopped: !this.done };
    }
    return { stopped: false };
  }

  /**
   * A loss, gradient or parameter that is not finite stops training here, naming the step,
   * the tensor and the first bad index. The check is one native sum per buffer: a sum is
   * finite when every term is (a finite overflow to Inf is then found to be harmless).
   */
  private checkFinite(step: number, info: UpdateInfo): void {
    const where = `training step ${step}, update ${this.agent.qOptimizer.t}`;
    if (!Number.isFinite(info.lossQ)) throw new NonFiniteError(`${where}: loss_q is ${info.lossQ}`);
    if (info.piSteps > 0 && !Number.isFinite(info.lossPi)) throw new NonFiniteError(`${where}: loss_pi is ${info.lossPi}`);
    const k = this.agent.k, p = this.agent.params;
    for (const [what, buf] of [['gradient of', p.grad], ['parameter', p.data]] as const) {
      if (Number.isFinite(k.sum(buf))) continue;
      const bad = firstNonFinite(buf);
      if (bad < 0) continue;
      let off = 0;
      for (const n of p.names) {
        const size = p.get(n).size;
        if (bad < off + size) throw new NonFiniteError(`${where}: ${what} ${n} is ${buf[bad]} at index ${bad - off}`);
        off += size;
      }
    }
  }

  /** Every tensor and number the loop depends on (see TrainerState). */
  saveState(): { tensors: [string, NamedTensor][]; state: TrainerState } {
    const agent = this.agent.saveState(), buffer = this.buffer.saveState();
    const m = (x: Moments): MomentsState => ({ n: x.n, sum: x.sum, sumSq: x.sumSq, min: x.min, max: x.max });
    const state: TrainerState = {
      envName: this.envName, seed: this.seed, options: this.agent.opts, obsDim: this.obsDim,
      bounds: { low: [...this.low], high: [...this.high] },
      t: this.t, episodes: this.episodes, obs: Array.from(this.o), epRet: this.epRet, epLen: this.epLen,
      env: this.env.getState ? this.env.getState() : null,
      rng: { explore: this.explore.state(), sampler: this.sampler.state() },
      heldNoise: Array.from(this.held),
      agent: agent.state, buffer: buffer.state,
      epoch: { rets: [...this.rets], lens: [...this.lens], updates: this.updates, piUpdates: this.piUpdates, lossPiSum: this.lossPiSum, lossQSum: this.lossQSum,
        q1: m(this.q1Vals), q2: m(this.q2Vals), logPi: m(this.logPis) },
      history: this.epochs.map((e) => ({ ...e })),
      elapsed: this.elapsed(),
    };
    return { tensors: [...agent.tensors, ...buffer.tensors], state };
  }

  /** Puts a saved state back; returns why the resume is not exact, or null when it is. */
  private loadState(s: TrainerState, tensors: ReadonlyMap<string, NamedTensor>): string | null {
    const bad = (what: string): never => {
      throw new RangeError(`checkpoint: ${what}`);
    };
    if (s.obsDim !== this.obsDim) bad(`it was made with ${s.obsDim}-dimensional observations, the env '${this.envName}' has ${this.obsDim}`);
    if (JSON.stringify(s.bounds) !== JSON.stringify({ low: this.low, high: this.high }))
      bad(`its action bounds ${JSON.stringify(s.bounds)} differ from the env's ${JSON.stringify({ low: this.low, high: this.high })}`);
    // restore() has checked every field's type (checkTrainerState); what is left are the
    // checks against this env and these options.
    if (s.obs.length !== this.obsDim) bad(`'obs' must be ${this.obsDim} finite numbers`);
    this.agent.loadState(tensors, s.agent);
    this.buffer.loadState(tensors, s.buffer);
    this.explore.setState(s.rng.explore);
    // checkTrainerState has checked the values are finite; the length is this env's.
    if (s.heldNoise !== undefined || this.agent.opts.exploreHold > 1) {
      const h = s.heldNoise;
      if (h === undefined || h.length !== this.actDim) bad(`'heldNoise' must be ${this.actDim} finite numbers, got ${JSON.stringify(h)}`);
      this.held.set(h!);
    }
    this.sampler.setState(s.rng.sampler);
    this.t = s.t;
    this.episodes = s.episodes;
    const e = s.epoch;
    this.rets = [...e.rets];
    this.lens = [...e.lens];
    this.updates = e.updates;
    this.piUpdates = e.piUpdates;
    this.lossPiSum = e.lossPiSum;
    this.lossQSum = e.lossQSum;
    for (const [dst, src] of [[this.q1Vals, e.q1], [this.q2Vals, e.q2], [this.logPis, e.logPi]] as const) Object.assign(dst, src);
    this.epochs.push(...s.history);
    this.startMs = performance.now() - s.elapsed * 1000;
    if (this.env.setState && s.env !== null) {
      try {
        this.env.setState(s.env);
      } catch (e) {
        throw new RangeError(`checkpoint: the env '${this.envName}' refused its saved state: ${(e as Error)?.message ?? String(e)}`);
      }
      this.o = s.obs;
      this.epRet = s.epRet;
      this.epLen = s.epLen;
      return null;
    }
    if (s.epLen === 0) {
      // Between episodes: the reset the loop did is done again (same seed, same start).
      this.o = checkedReset(this.env, this.envName, (this.seed + this.episodes) >>> 0, this.obsDim);
      return null;
    }
    // The env cannot be put back mid-episode: start that episode over.
    this.o = checkedReset(this.env, this.envName, (this.seed + this.episodes) >>> 0, this.obsDim);
    return `the env '${this.envName}' has no getState/setState, so the open episode (${s.epLen} steps) starts over and the run is not bit-identical to an uninterrupted one`;
  }

  /** A trainer that continues a checkpoint; `epochs` may extend the run. */
  static restore(setup: Omit<TrainSetup, 'options' | 'seed'> & { epochs?: number }, ckpt: { tensors: ReadonlyMap<string, NamedTensor>; state: Record<string, unknown> }, cb: TrainCallbacks = {}): Trainer {
    checkSetup('Trainer.restore', setup, RESTORE_KEYS, cb);
    const s = checkTrainerState(ckpt.state);
    if (s.envName !== setup.envName) throw new RangeError(`checkpoint: it trained env '${String(s.envName)}', not '${setup.envName}'`);
    let options: SacOptions;
    try {
      options = resolveOptions({ ...s.options, ...(setup.epochs !== undefined ? { epochs: setup.epochs } : {}) });
    } catch (e) {
      throw new RangeError(`checkpoint: the saved options are invalid: ${(e as Error).message}`);
    }
    if (setup.epochs !== undefined && setup.epochs * s.options.stepsPerEpoch < s.t)
      throw new RangeError(`--epochs ${setup.epochs} is fewer than the ${s.t / s.options.stepsPerEpoch} epochs the checkpoint has already run`);
    return new Trainer({ ...setup, options, seed: s.seed }, cb, { state: s, tensors: ckpt.tensors });
  }
}

/**
 * Checks the shape of a checkpoint's JSON state before anything reads it: every field a
 * restore touches, by its path, with what was expected and what came. (A file can hold any
 * JSON: without this a missing field would surface as a TypeError deep inside.)
 */
export function checkTrainerState(raw: unknown): TrainerState {
  const fail = (path: string, want: string, got: unknown): never => {
    throw new RangeError(`checkpoint: '${path}' must be ${want}, got ${JSON.stringify(got) ?? String(got)}`);
  };
  const obj = (path: string, v: unknown): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(path, 'an object', v);
  const num = (path: string, v: unknown, o: { int?: boolean; min?: number; finite?: boolean } = {}): number => {
    const want = `${o.int ? 'an integer' : o.finite ? 'a finite number' : 'a number'}${o.min !== undefined ? ` >= ${o.min}` : ''}`;
    if (typeof v !== 'number' || (o.int && !Number.isSafeInteger(v)) || (o.finite && !Number.isFinite(v)) || (o.min !== undefined && !(v >= o.min))) fail(path, want, v);
    return v as number;
  };
  const nums = (path: string, v: unknown, o: { length?: number; int?: boolean; finite?: boolean; min?: number } = {}): number[] => {
    if (!Array.isArray(v) || (o.length !== undefined && v.length !== o.length)) fail(path, `an array of ${o.length ?? 'any number of'} numbers`, v);
    (v as unknown[]).forEach((x, i) => num(`${path}[${i}]`, x, o));
    return v as number[];
  };
  const stat = (path: string, v: unknown) => {
    const st = obj(path, v);
    for (const k of ['average', 'std', 'max', 'min']) num(`${path}.${k}`, st[k]);
  };
  const moments = (path: string, v: unknown) => {
    const m = obj(path, v);
    num(`${path}.n`, m.n, { int: true, min: 0 });
    for (const k of ['sum', 'sumSq', 'min', 'max']) num(`${path}.${k}`, m[k]);
  };
  const s = obj('state', raw);
  if (typeof s.envName !== 'string') fail('envName', 'a string', s.envName);
  num('seed', s.seed, { int: true, min: 0 });
  obj('options', s.options);
  num('obsDim', s.obsDim, { int: true, min: 1 });
  const b = obj('bounds', s.bounds);
  nums('bounds.low', b.low, { finite: true });
  nums('bounds.high', b.high, { finite: true, length: (b.low as number[]).length });
  for (const k of ['t', 'episodes', 'epLen']) num(k, s[k], { int: true, min: 0 });
  nums('obs', s.obs, { finite: true });
  num('epRet', s.epRet, { finite: true });
  const rng = obj('rng', s.rng);
  nums('rng.explore', rng.explore, { length: 4, int: true, min: 0 }); // uint32 words (Rng.setState checks the rest)
  nums('rng.sampler', rng.sampler, { length: 4, int: true, min: 0 }); // uint32 words (Rng.setState checks the rest)
  if (s.heldNoise !== undefined) nums('heldNoise', s.heldNoise, { finite: true });
  const agent = obj('agent', s.agent);
  nums('agent.rng', agent.rng, { length: 4, int: true, min: 0 }); // uint32 words (Rng.setState checks the rest)
  const steps = obj('agent.adamSteps', agent.adamSteps);
  num('agent.adamSteps.pi', steps.pi, { int: true, min: 0 });
  num('agent.adamSteps.q', steps.q, { int: true, min: 0 });
  if (steps.alpha !== null) num('agent.adamSteps.alpha', steps.alpha, { int: true, min: 0 });
  num('agent.targetUpdates', agent.targetUpdates, { int: true, min: 0 });
  const buf = obj('buffer', s.buffer);
  num('buffer.ptr', buf.ptr, { int: true, min: 0 });
  num('buffer.size', buf.size, { int: true, min: 0 });
  const e = obj('epoch', s.epoch);
  nums('epoch.rets', e.rets);
  nums('epoch.lens', e.lens, { int: true });
  for (const k of ['updates', 'piUpdates']) num(`epoch.${k}`, e[k], { int: true, min: 0 });
  for (const k of ['lossPiSum', 'lossQSum']) num(`epoch.${k}`, e[k]);
  for (const k of ['q1', 'q2', 'logPi']) moments(`epoch.${k}`, e[k]);
  if (!Array.isArray(s.history)) fail('history', 'an array of epoch rows', s.history);
  (s.history as unknown[]).forEach((h, i) => {
    const row = obj(`history[${i}]`, h);
    for (const k of ['epoch', 'totalEnvInteracts']) num(`history[${i}].${k}`, row[k], { int: true, min: 0 });
    for (const k of ['epLen', 'testEpLen', 'lossPi', 'lossQ', 'alpha', 'time']) num(`history[${i}].${k}`, row[k]);
    for (const k of ['epRet', 'testEpRet', 'q1Vals', 'q2Vals', 'logPi']) stat(`history[${i}].${k}`, row[k]);
  });
  num('elapsed', s.elapsed, { finite: true, min: 0 });
  return s as unknown as TrainerState;
}

function firstNonFinite(xs: Float32Array): number {
  for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i]!)) return i;
  return -1;
}

/** Trains SAC; returns the agent (parameters, targets, optimizers), its replay buffer and every epoch's stats. */
export function train(setup: TrainSetup, cb: TrainCallbacks = {}): TrainResult {
  checkSetup('train', setup, SETUP_KEYS, cb);
  return new Trainer(setup, cb).run();
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
      const r = checkedStep(env, name, agent.act(o, true), obsDim, `test episode ${e + 1} step ${len + 1}`);
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
