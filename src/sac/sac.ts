/**
 * The SAC update of Spinning Up's sac.py, in its order: the Q step on the entropy-adjusted
 * Bellman backup, the policy step with the Q-networks frozen, (the alpha step when alpha is
 * 'auto'), then polyak averaging of every target parameter. Names follow the paper and
 * sac.py: o, a, r, o2, d, q1, q2, backup, logp_pi, alpha, polyak.
 */
import * as ag from '../autograd/index.js';
import { type Plan, Tape, Tensor } from '../autograd/index.js';
import type { Kernels } from '../kernels/index.js';
import type { NamedTensor } from '../io/safetensors.js';
import { Adam } from '../nn/adam.js';
import { ParameterSet } from '../nn/params.js';
import { Rng } from '../nn/rng.js';
import type { Batch } from './buffer.js';
import { type ActorCriticSizes, type ActorSample, actOnce, actorCriticSpecs, actRows, MLPActorCritic } from './core.js';
import { type ActionBounds, saveModel } from './model.js';
import { resolveOptions, type SacOptions } from './options.js';

/** Means over the batch, as Spinning Up logs them (Q1Vals, Q2Vals, LogPi, LossPi, LossQ). */
export interface UpdateInfo {
  lossQ: number;
  /** Mean over this update's policy steps; NaN when policyDelay skipped them. */
  lossPi: number;
  q1: number;
  q2: number;
  /** Of the last policy step; NaN when there was none. */
  logPi: number;
  alpha: number;
  /** Policy steps this update ran: 0, or policyDelay. */
  piSteps: number;
  /** Whether polyak averaging ran (every targetUpdateInterval Q steps). */
  targetUpdated: boolean;
}

/** The agent's non-tensor state in a checkpoint: its PRNG and the optimizers' step counts. */
export interface AgentState {
  rng: number[];
  adamSteps: { pi: number; q: number; alpha: number | null };
  targetUpdates: number;
}

/** The noise of one update: eps of a ~ pi(.|o) in the policy loss and of a2 ~ pi(.|o2) in the backup. */
export interface UpdateNoise {
  pi: Float32Array;
  targ: Float32Array;
}

/** A batch as sac.py's tensors: o [B, obs], a [B, act], r [B], o2 [B, obs], d [B]. */
export interface BatchTensors {
  o: Tensor;
  a: Tensor;
  r: Tensor;
  o2: Tensor;
  d: Tensor;
}

export function batchTensors(b: Batch, obsDim: number, actDim: number): BatchTensors {
  const B = b.size;
  return {
    o: new Tensor(b.obs, [B, obsDim]), a: new Tensor(b.act, [B, actDim]), r: new Tensor(b.rew, [B]),
    o2: new Tensor(b.obs2, [B, obsDim]), d: new Tensor(b.done, [B]),
  };
}

/** The backup and the values it was made of. */
export interface Backup {
  a2: Tensor;
  logpA2: Tensor;
  q1PiTarg: Tensor;
  q2PiTarg: Tensor;
  qPiTarg: Tensor;
  backup: Tensor;
}

/**
 * sac.py's entropy-adjusted Bellman backup, under no_grad:
 * backup = r + gamma (1 - d) (min(q1_targ, q2_targ)(o2, a2) - alpha logp_a2), with
 * a2 ~ pi(.|o2) from the current policy (noise epsTarg [B, act_dim]). d is 1 only for a
 * true termination: a time-limit cut stays 0 and still bootstraps.
 */
export function backup(g: Tape, ac: MLPActorCritic, acTarg: MLPActorCritic, r: Tensor, o2: Tensor, d: Tensor, epsTarg: Tensor,
  alpha: number, gamma: number): Backup {
  return g.noGrad(() => {
    const { a: a2, logp } = ac.pi.forward(g, o2, epsTarg);
    const q1PiTarg = acTarg.q1.forward(g, o2, a2), q2PiTarg = acTarg.q2.forward(g, o2, a2);
    const qPiTarg = ag.minimum(g, q1PiTarg, q2PiTarg);
    const soft = ag.sub(g, qPiTarg, ag.mul(g, logp!, alpha));
    const backup = ag.add(g, r, ag.mul(g, ag.mul(g, ag.sub(g, 1, d), gamma), soft));
    return { a2, logpA2: logp!, q1PiTarg, q2PiTarg, qPiTarg, backup };
  });
}

/** compute_loss_q and what it was made of. */
export interface LossQ {
  /** mean((q1 - backup)^2) + mean((q2 - backup)^2). */
  loss: Tensor;
  q1: Tensor;
  q2: Tensor;
  backup: Backup;
}

/** compute_loss_q: MSE of each Q-network against the backup, summed. */
export function lossQ(g: Tape, ac: MLPActorCritic, acTarg: MLPActorCritic, t: BatchTensors, epsTarg: Tensor, alpha: number, gamma: number): LossQ {
  const q1 = ac.q1.forward(g, t.o, t.a), q2 = ac.q2.forward(g, t.o, t.a);
  const b = backup(g, ac, acTarg, t.r, t.o2, t.d, epsTarg, alpha, gamma);
  return { loss: ag.add(g, ag.mse(g, q1, b.backup), ag.mse(g, q2, b.backup)), q1, q2, backup: b };
}

/** compute_loss_pi and what it was made of. */
export interface LossPi {
  /** mean(alpha logp_pi - min(q1_pi, q2_pi)). */
  loss: Tensor;
  /** a ~ pi(.|o) by rsample (pi.a is pi_action, pi.logp logp_pi), with its torso, mu and log_std. */
  pi: ActorSample;
  /** log pi(a|o) of that sample, [B] (pi.logp, never null here). */
  logpPi: Tensor;
  q1Pi: Tensor;
  q2Pi: Tensor;
  qPi: Tensor;
}

/** compute_loss_pi: mean(alpha logp_pi - min(q1_pi, q2_pi)), a ~ pi(.|o) by rsample with noise epsPi. */
export function lossPi(g: Tape, ac: MLPActorCritic, o: Tensor, epsPi: Tensor, alpha: number): LossPi {
  const pi = ac.pi.forward(g, o, epsPi);
  const q1Pi = ac.q1.forward(g, o, pi.a), q2Pi = ac.q2.forward(g, o, pi.a);
  const qPi = ag.minimum(g, q1Pi, q2Pi);
  const logpPi = pi.logp!;
  return { loss: ag.mean(g, ag.sub(g, ag.mul(g, logpPi, alpha), qPi)), pi, logpPi, q1Pi, q2Pi, qPi };
}

/** A captured step: its plan, the inputs and alpha it was captured with, and its tensors. */
interface StepPlan<R> {
  plan: Plan;
  inputs: Float32Array[];
  alpha: number;
  result: R;
}

export class SAC {
  readonly opts: SacOptions;
  readonly sizes: ActorCriticSizes;
  /** The online parameters: pi.*, then q1.* and q2.* (contiguous, one optimizer each). */
  readonly params: ParameterSet;
  /** The target copy (targ.*), same layout, updated only by polyak averaging. */
  readonly targ: ParameterSet;
  readonly ac: MLPActorCritic;
  readonly acTarg: MLPActorCritic;
  readonly piOptimizer: Adam;
  readonly qOptimizer: Adam;
  /** log alpha and its gradient, learned when opts.alpha is 'auto'. */
  readonly logAlpha: Tensor;
  readonly alphaOptimizer: Adam | null;
  /** -dim(A), SB3's default target entropy for 'auto'. */
  readonly targetEntropy: number;
  /** The noise stream of the updates (eps for pi and for the backup). */
  readonly rng: Rng;
  /** Polyak updates so far (Q steps are qOptimizer.t, policy steps piOptimizer.t). */
  targetUpdates = 0;
  readonly tape: Tape;
  private readonly noise: UpdateNoise;
  /**
   * Replay each step from a plan captured at its first run (tape.capture) while its inputs'
   * buffers, shapes and alpha stay the same: bit for bit the tape's results, without the
   * JavaScript of the tape between the kernels. Off: every step runs through the tape.
   */
  replay = true;
  private readonly plans = new Map<'q' | 'pi', StepPlan<unknown>>();
  /** The last update's Q1, Q2 and logp_pi values, per batch row (Spinning Up logs their spread). */
  readonly last: { q1: Float32Array; q2: Float32Array; logPi: Float32Array } = { q1: new Float32Array(0), q2: new Float32Array(0), logPi: new Float32Array(0) };

  constructor(readonly k: Kernels, obsDim: number, readonly bounds: ActionBounds, options: Partial<SacOptions> = {}, seed = 0) {
    this.opts = resolveOptions(options);
    const actDim = bounds.low.length;
    this.sizes = { obsDim, actDim, hidden: this.opts.hidden };
    this.params = new ParameterSet(actorCriticSpecs(this.sizes));
    this.targ = new ParameterSet(actorCriticSpecs(this.sizes, 'targ.'));
    this.ac = new MLPActorCritic(this.params, '', this.sizes, bounds.low, bounds.high);
    this.acTarg = new MLPActorCritic(this.targ, 'targ.', this.sizes, bounds.low, bounds.high);
    const rng = new Rng(seed);
    this.ac.init(rng);
    this.targ.data.set(this.params.data); // ac_targ = deepcopy(ac)
    this.targ.setRequiresGrad('targ.', false);
    const pi = this.params.slice('pi.'), q = this.params.slice('q');
    this.piOptimizer = new Adam(k, pi.data, pi.grad, { lr: this.opts.piLr ?? this.opts.lr });
    this.qOptimizer = new Adam(k, q.data, q.grad, { lr: this.opts.qLr ?? this.opts.lr });
    this.targetEntropy = -actDim;
    const auto = this.opts.alpha === 'auto';
    // SB3 starts log alpha at log(1) = 0 for 'auto'.
    this.logAlpha = new Tensor(Float32Array.of(auto ? 0 : Math.log(this.opts.alpha as number)), [1], auto, 'log_alpha');
    this.logAlpha.grad = new Float32Array(1);
    this.alphaOptimizer = auto ? new Adam(k, this.logAlpha.data, this.logAlpha.grad, { lr: this.opts.piLr ?? this.opts.lr }) : null;
    this.rng = new Rng((seed + 0x5ac) >>> 0);
    this.tape = new Tape(k);
    const n = this.opts.batchSize * actDim;
    this.noise = { pi: new Float32Array(n), targ: new Float32Array(n) };
  }

  /** The entropy coefficient in use: the fixed alpha, or exp(log alpha). */
  get alpha(): number {
    return this.opts.alpha === 'auto' ? Math.exp(this.logAlpha.data[0]!) : (this.opts.alpha as number);
  }

  private eps(b: Batch, eps: Float32Array): Tensor {
    return new Tensor(eps, [b.size, this.sizes.actDim]);
  }

  /** lossQ on this batch with the current alpha (noise epsTarg [B, act_dim] for a2). */
  lossQ(b: Batch, epsTarg: Float32Array): LossQ {
    const t = batchTensors(b, this.sizes.obsDim, this.sizes.actDim);
    return lossQ(this.tape, this.ac, this.acTarg, t, this.eps(b, epsTarg), this.alpha, this.opts.gamma);
  }

  /** lossPi on this batch with the current alpha (noise epsPi [B, act_dim]). */
  lossPi(b: Batch, epsPi: Float32Array): LossPi {
    const { o } = batchTensors(b, this.sizes.obsDim, this.sizes.actDim);
    return lossPi(this.tape, this.ac, o, this.eps(b, epsPi), this.alpha);
  }

  /**
   * fn (a step's forward and backward) through its plan when one was captured on these
   * inputs and alpha; else through the tape, capturing a plan for the next calls when
   * replay is on and alpha is fixed ('auto' changes alpha, a constant of the plan, at every
   * step). A new batch size or other input buffers lead to a new capture.
   */
  private viaPlan<R>(step: 'q' | 'pi', b: Batch, eps: Float32Array, fn: () => R): R {
    const alpha = this.alpha, p = this.plans.get(step) as StepPlan<R> | undefined;
    // Compared field by field: a replayed step allocates nothing.
    const i = p?.inputs;
    if (this.replay && p && i && p.alpha === alpha && i[0] === b.obs && i[1] === b.act && i[2] === b.rew && i[3] === b.obs2 &&
      i[4] === b.done && i[5] === eps) {
      p.plan.run();
      return p.result;
    }
    this.plans.delete(step);
    if (!this.replay || this.opts.alpha === 'auto') return fn();
    const { result, plan } = this.tape.capture(fn);
    if (plan) this.plans.set(step, { plan, inputs: [b.obs, b.act, b.rew, b.obs2, b.done, eps], alpha, result });
    return result;
  }

  /** The plans captured so far, by step ('q', 'pi'): for profiling (scripts/profile-update.mjs). */
  capturedPlans(): ReadonlyMap<'q' | 'pi', Plan> {
    return new Map([...this.plans].map(([k, v]) => [k, v.plan]));
  }

  /** The Q step: one Adam step of q1 and q2 on loss_q. */
  qStep(b: Batch, epsTarg: Float32Array): { lossQ: number; q1: number; q2: number } {
    const g = this.tape;
    const { loss, q1, q2 } = this.viaPlan('q', b, epsTarg, () => {
      this.qOptimizer.zeroGrad(g.k);
      const l = this.lossQ(b, epsTarg);
      g.backward(l.loss);
      return l;
    });
    this.qOptimizer.step();
    const out = { lossQ: loss.item(), q1: this.k.mean(q1.data), q2: this.k.mean(q2.data) };
    this.last.q1 = keep(this.last.q1, q1.data);
    this.last.q2 = keep(this.last.q2, q2.data);
    g.reset();
    return out;
  }

  /**
   * The policy step, with the Q-networks frozen: their parameters get no gradient and stay
   * bit-identical (sac.py sets requires_grad False around it). With alpha 'auto', then one
   * step of log alpha on -mean(log alpha (logp_pi + target_entropy)) (SB3).
   */
  piStep(b: Batch, epsPi: Float32Array): { lossPi: number; logPi: number } {
    const g = this.tape;
    this.params.setRequiresGrad('q', false);
    try {
      const { loss, logpPi: logp } = this.viaPlan('pi', b, epsPi, () => {
        this.piOptimizer.zeroGrad(g.k);
        const l = this.lossPi(b, epsPi);
        g.backward(l.loss);
        return l;
      });
      this.piOptimizer.step();
      const out = { lossPi: loss.item(), logPi: this.k.mean(logp.data) };
      this.last.logPi = keep(this.last.logPi, logp.data);
      if (this.alphaOptimizer) {
        // logp_pi + target_entropy, detached: a new leaf that needs no gradient.
        const target = new Tensor(g.scratch(logp.size), logp.shape);
        for (let i = 0; i < logp.size; i++) target.data[i] = logp.data[i]! + this.targetEntropy;
        this.alphaOptimizer.zeroGrad();
        const lossAlpha = ag.mul(g, ag.mean(g, ag.mul(g, target, this.logAlpha)), -1);
        g.backward(lossAlpha);
        this.alphaOptimizer.step();
      }
      g.reset();
      return out;
    } finally {
      this.params.setRequiresGrad('q', true);
    }
  }

  /** targ = polyak targ + (1 - polyak) online, over every parameter in one call. */
  polyakUpdate(): void {
    this.k.polyak(this.targ.data, this.params.data, this.opts.polyak);
  }

  /**
   * One full update: the Q step; the policy step (and the alpha step if auto) when this Q
   * step is a multiple of policyDelay, then policyDelay of them; polyak when it is a
   * multiple of targetUpdateInterval. Noise is drawn from rng (eps of the backup, then of
   * each policy step) unless given. With both options at 1 this is Spinning Up's update.
   */
  update(b: Batch, noise?: UpdateNoise): UpdateInfo {
    if (b.size * this.sizes.actDim !== this.noise.pi.length && !noise)
      throw new RangeError(`SAC.update: the batch has ${b.size} rows, the options say batchSize ${this.opts.batchSize}`);
    const alpha = this.alpha;
    const q = this.qStep(b, noise ? noise.targ : this.rng.fillNormal(this.noise.targ));
    const n = this.qOptimizer.t, d = this.opts.policyDelay;
    let lossPi = 0, logPi = NaN, piSteps = 0;
    if (n % d === 0) {
      for (; piSteps < d; piSteps++) {
        const pi = this.piStep(b, noise ? noise.pi : this.rng.fillNormal(this.noise.pi));
        lossPi += pi.lossPi;
        logPi = pi.logPi;
      }
      lossPi /= d;
    } else {
      lossPi = NaN;
    }
    const targetUpdated = n % this.opts.targetUpdateInterval === 0;
    if (targetUpdated) {
      this.polyakUpdate();
      this.targetUpdates++;
    }
    return { ...q, lossPi, logPi, alpha, piSteps, targetUpdated };
  }

  /** Every online and target parameter by its state-dict name (pi.*, q1.*, q2.*, targ.*). */
  stateDict(): Map<string, NamedTensor> {
    const out = new Map<string, NamedTensor>();
    for (const set of [this.params, this.targ]) for (const n of set.names) out.set(n, { shape: set.get(n).shape, data: set.get(n).data });
    return out;
  }

  /**
   * Everything an exact resume needs beyond the options: online and target parameters,
   * log alpha, both (or three) Adam moment buffers as tensors; the PRNG and the Adam step
   * counts as plain state.
   */
  saveState(): { tensors: [string, NamedTensor][]; state: AgentState } {
    const tensors: [string, NamedTensor][] = [...this.stateDict()];
    tensors.push(['log_alpha', { shape: [1], data: this.logAlpha.data.slice() }]);
    const optims: [string, Adam | null][] = [['pi', this.piOptimizer], ['q', this.qOptimizer], ['alpha', this.alphaOptimizer]];
    for (const [name, opt] of optims) {
      if (!opt) continue;
      tensors.push([`adam.${name}.m`, { shape: [opt.m.length], data: opt.m.slice() }]);
      tensors.push([`adam.${name}.v`, { shape: [opt.v.length], data: opt.v.slice() }]);
    }
    return { tensors, state: { rng: this.rng.state(), adamSteps: { pi: this.piOptimizer.t, q: this.qOptimizer.t, alpha: this.alphaOptimizer?.t ?? null }, targetUpdates: this.targetUpdates } };
  }

  /** Restores saveState()'s output into an agent built with the same options and sizes. */
  loadState(tensors: ReadonlyMap<string, NamedTensor>, state: AgentState): void {
    const get = (name: string, length: number): Float32Array => {
      const t = tensors.get(name);
      if (!t) throw new RangeError(`checkpoint: tensor '${name}' is missing`);
      if (t.data.length !== length) throw new RangeError(`checkpoint: tensor '${name}' has ${t.data.length} values, expected ${length}`);
      return t.data;
    };
    const auto = this.alphaOptimizer !== null;
    if ((state.adamSteps?.alpha !== null) !== auto)
      throw new RangeError(`checkpoint: alpha is ${auto ? "'auto' in the options but the checkpoint has no alpha optimizer" : 'fixed in the options but the checkpoint has an alpha optimizer'}`);
    this.params.load(tensors);
    this.targ.load(tensors);
    this.logAlpha.data.set(get('log_alpha', 1));
    const optims: [string, Adam | null, number | null][] = [['pi', this.piOptimizer, state.adamSteps.pi], ['q', this.qOptimizer, state.adamSteps.q],
      ['alpha', this.alphaOptimizer, state.adamSteps.alpha]];
    for (const [name, opt, t] of optims) {
      if (!opt) continue;
      opt.setState({ t: t as number, m: get(`adam.${name}.m`, opt.m.length), v: get(`adam.${name}.v`, opt.v.length) });
    }
    this.rng.setState(state.rng);
    if (!Number.isInteger(state.targetUpdates) || state.targetUpdates < 0) throw new RangeError(`checkpoint: 'targetUpdates' must be an integer >= 0, got ${JSON.stringify(state.targetUpdates)}`);
    this.targetUpdates = state.targetUpdates;
  }

  /**
   * Writes stateDict() as safetensors, atomically, with the action bounds in the metadata
   * (a state dict has none), so Policy.load(path) acts in the right box by itself.
   */
  saveModel(path: string): void {
    saveModel(path, this.stateDict(), this.bounds);
  }

  /**
   * A sample of pi(.|obs) with the caller's eps instead of a fresh one: scale tanh(mu + std
   * eps) + shift. The training loop holds eps over several steps with exploreHold > 1.
   */
  actWithNoise(obs: ArrayLike<number>, eps: Float32Array): Float32Array {
    const { obsDim, actDim } = this.sizes, g = this.tape;
    if (obs.length !== obsDim) throw new RangeError(`act: the observation must have ${obsDim} values, got ${obs.length}`);
    if (eps.length !== actDim) throw new RangeError(`actWithNoise: eps must have ${actDim} values, got ${eps.length}`);
    return actRows(g, this.ac.pi, Float32Array.from(obs), 1, obsDim, actDim, eps);
  }

  /** An action for one observation: a sample (training) or scale tanh(mu) + shift (test). */
  act(obs: ArrayLike<number>, deterministic = false): Float32Array {
    return actOnce(this.tape, this.ac.pi, this.sizes.obsDim, this.sizes.actDim, obs, deterministic ? null : this.rng);
  }
}

/** Copies src into dst, reallocating only when the length changes (once, at the first update). */
function keep(dst: Float32Array, src: Float32Array): Float32Array {
  const out = dst.length === src.length ? dst : new Float32Array(src.length);
  out.set(src);
  return out;
}
