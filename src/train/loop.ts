/**
 * The training loop of Spinning Up's sac(), top to bottom: uniform random actions for
 * start_steps, then the policy; every update_every steps, a burst of update_every updates;
 * a deterministic test at the end of each epoch. Gymnasium's split of episode ends is kept:
 * a true termination is stored as done, a time-limit cut (the env's own, or max_ep_len) is
 * not, so the backup still bootstraps through it (Spinning Up's `d = False if
 * ep_len==max_ep_len else d`).
 */
import * as is from '../check/is.js';
import { checkedReset, checkedStep } from '../envs/guard.js';
import type { Env } from '../envs/types.js';
import type { NamedTensor } from '../io/safetensors.js';
import type { Kernels } from '../kernels/index.js';
import { Rng } from '../nn/rng.js';
import { deterministicEpisode } from '../replay/episode.js';
import { ReplayBuffer } from '../sac/buffer.js';
import { optionKeys, resolveOptions, type SacOptions } from '../sac/options.js';
import type { Acting } from '../sac/policy.js';
import { SAC } from '../sac/sac.js';
import { EpochLogger, type EpochStats } from './epoch-logger.js';
import { checkFinite } from './nonfinite.js';
import { checkTrainerState, type TrainerState } from './state.js';

export interface TrainCallbacks {
  /** After every environment step (t counts from 1). */
  onStep?(t: number, total: number): void;
  onEpoch?(stats: EpochStats): void;
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

/** What a finished (or stopped) run returns. */
export interface TrainResult {
  agent: SAC;
  buffer: ReplayBuffer;
  epochs: EpochStats[];
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
  /** The uniform random actions of the first start_steps. */
  private readonly explore: Rng;
  /** The replay buffer's batch sampler. */
  private readonly sampler: Rng;
  private readonly logger = new EpochLogger();
  private episodes = 0;
  /** The open episode: its observation, return and length. */
  private o: ArrayLike<number> = [];
  private epRet = 0;
  private epLen = 0;
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
    const opts = this.agent.opts;
    this.maxEpLen = Math.min(opts.maxEpLen, this.env.maxEpisodeSteps ?? Infinity);
    this.buffer = new ReplayBuffer(this.obsDim, this.actDim, opts.replaySize);
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
    const { startSteps, exploreHold, updateAfter, updateEvery, batchSize, stepsPerEpoch } = this.agent.opts;
    const t = this.t, a = this.a, name = this.envName;
    // Until start_steps have elapsed, randomly sample actions from a uniform distribution
    // for better exploration; afterwards, use the learned policy. With exploreHold N > 1 the
    // noise (the random action, then eps) is drawn every N steps and on the first policy
    // step, and held in between.
    const draw = t % exploreHold === 0;
    if (t > startSteps) {
      if (exploreHold === 1) a.set(this.agent.act(this.o));
      else {
        if (draw || t === startSteps + 1) this.agent.rng.fillNormal(this.held);
        a.set(this.agent.actWithNoise(this.o, this.held));
      }
    } else {
      if (draw) for (let j = 0; j < this.actDim; j++) this.held[j] = this.explore.uniformIn(this.low[j]!, this.high[j]!);
      a.set(this.held);
    }

    // Step the env: o2, r, d, _ = env.step(a), with the time-limit cut apart from d.
    const { observation: o2, reward: r, terminated: d, truncated } = checkedStep(this.env, name, a, this.obsDim, `step ${t + 1}`);
    this.epRet += r;
    this.epLen++;

    // Store only a true termination as done; hitting a time limit is not (the trap: storing
    // it as done teaches Q that the world ends at step 200).
    this.buffer.store(this.o, a, r, o2, d);

    // Super critical, easy to overlook step: make sure to update most recent observation!
    this.o = o2;

    // End of trajectory handling.
    if (d || truncated || this.epLen === this.maxEpLen) {
      this.logger.storeEpisode(this.epRet, this.epLen);
      this.episodes++;
      this.o = checkedReset(this.env, name, (this.seed + this.episodes) >>> 0, this.obsDim);
      this.epRet = 0;
      this.epLen = 0;
    }

    // Update handling.
    if (t >= updateAfter && t % updateEvery === 0) {
      for (let j = 0; j < updateEvery; j++) {
        const info = this.agent.update(this.buffer.sampleBatch(batchSize, this.sampler));
        checkFinite(this.agent, t + 1, info);
        this.logger.storeUpdate(info, this.agent.last);
      }
    }
    this.t = t + 1;
    this.cb.onStep?.(this.t, this.totalSteps);

    // End of epoch handling: test the deterministic agent, log the epoch.
    if (this.t % stepsPerEpoch !== 0) return null;
    const epoch = this.t / stepsPerEpoch;
    const test = testAgent(this.agent, this.testEnv, name, this.agent.opts.numTestEpisodes, this.maxEpLen, testSeed(this.seed, epoch));
    const stats = this.logger.dump(epoch, test, this.t, this.agent.alpha, this.elapsed());
    this.epochs.push(stats);
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

  /** Every tensor and number the loop depends on (see TrainerState). */
  saveState(): { tensors: [string, NamedTensor][]; state: TrainerState } {
    const agent = this.agent.saveState(), buffer = this.buffer.saveState();
    const state: TrainerState = {
      envName: this.envName, seed: this.seed, options: this.agent.opts, obsDim: this.obsDim,
      bounds: { low: [...this.low], high: [...this.high] },
      t: this.t, episodes: this.episodes, obs: Array.from(this.o), epRet: this.epRet, epLen: this.epLen,
      env: this.env.getState ? this.env.getState() : null,
      rng: { explore: this.explore.state(), sampler: this.sampler.state() },
      heldNoise: Array.from(this.held),
      agent: agent.state, buffer: buffer.state,
      epoch: this.logger.state(),
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
    this.logger.load(s.epoch);
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

/** Trains SAC; returns the agent (parameters, targets, optimizers), its replay buffer and every epoch's stats. */
export function train(setup: TrainSetup, cb: TrainCallbacks = {}): TrainResult {
  checkSetup('train', setup, SETUP_KEYS, cb);
  return new Trainer(setup, cb).run();
}

/**
 * The reset seed of test episode `episode` (from 0) at the end of epoch `epoch` (from 1):
 * each epoch's test starts from its own seed, and its episodes count up from there.
 */
export function testSeed(seed: number, epoch: number, episode = 0): number {
  return (((seed + 1_000_003 * epoch) >>> 0) + episode) >>> 0;
}

/** Deterministic episodes (the mean action) on a separate env, as Spinning Up's test_agent; episode e resets with seed + e. */
export function testAgent(agent: Acting, env: Env, name: string, episodes: number, maxEpLen: number, seed: number): { rets: number[]; lens: number[] } {
  const rets: number[] = [], lens: number[] = [];
  for (let e = 0; e < episodes; e++) {
    const { ret, len } = deterministicEpisode(agent, env, name, maxEpLen, (seed + e) >>> 0, `test episode ${e + 1}`);
    rets.push(ret);
    lens.push(len);
  }
  return { rets, lens };
}
