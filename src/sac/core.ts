/**
 * The networks of Spinning Up's SAC (core.py), with its state-dict names, so that a file
 * written here loads into `MLPActorCritic.load_state_dict` and back:
 *   pi.net.*  pi.mu_layer.*  pi.log_std_layer.*   the actor (torso, mean, log std heads)
 *   q1.q.*  q2.q.*                                 the Q-functions on concat(obs, act)
 */
import * as ag from '../autograd/index.js';
import type { Tape, Tensor } from '../autograd/index.js';
import { Linear, linearSpecs } from '../nn/linear.js';
import { MLP, mlpSpecs, type Activation } from '../nn/mlp.js';
import type { ParameterSet, ParamSpec } from '../nn/params.js';
import type { Rng } from '../nn/rng.js';

export interface ActorCriticSizes {
  obsDim: number;
  actDim: number;
  hidden: readonly number[];
}

/** The actor's parameters (pi.*) under `prefix`. */
export function actorSpecs({ obsDim, actDim, hidden }: ActorCriticSizes, prefix = ''): ParamSpec[] {
  const h = hidden[hidden.length - 1]!;
  return [
    ...mlpSpecs(`${prefix}pi.net`, [obsDim, ...hidden]),
    ...linearSpecs(`${prefix}pi.mu_layer`, h, actDim),
    ...linearSpecs(`${prefix}pi.log_std_layer`, h, actDim),
  ];
}

/** Every parameter of MLPActorCritic under `prefix` ('' or 'targ.'), pi first, then q1, q2. */
export function actorCriticSpecs(sizes: ActorCriticSizes, prefix = ''): ParamSpec[] {
  const { obsDim, actDim, hidden } = sizes;
  return [
    ...actorSpecs(sizes, prefix),
    ...mlpSpecs(`${prefix}q1.q`, [obsDim + actDim, ...hidden, 1]),
    ...mlpSpecs(`${prefix}q2.q`, [obsDim + actDim, ...hidden, 1]),
  ];
}

/**
 * The sizes of the actor stored in a state dict, read from its shapes: obs_dim from
 * pi.net.0.weight [h1, obs], hidden from pi.net.{2j}.weight, act_dim from pi.mu_layer.
 */
export function actorSizesFromShapes(shapes: ReadonlyMap<string, readonly number[]>, prefix = ''): ActorCriticSizes {
  const need = (name: string) => {
    const s = shapes.get(`${prefix}${name}`);
    if (!s) throw new RangeError(`state dict has no '${prefix}${name}' (a Spinning Up MLPActorCritic state dict is expected)`);
    if (s.length !== 2) throw new RangeError(`state dict '${prefix}${name}' must be 2-D, got shape [${s.join(', ')}]`);
    return s;
  };
  const first = need('pi.net.0.weight');
  const hidden: number[] = [];
  for (let j = 0; shapes.has(`${prefix}pi.net.${2 * j}.weight`); j++) hidden.push(need(`pi.net.${2 * j}.weight`)[0]!);
  return { obsDim: first[1]!, actDim: need('pi.mu_layer.weight')[0]!, hidden };
}

/** A sample of pi(.|obs) and what it was made of (softac trace shows each). */
export interface ActorSample extends ag.SquashedSample {
  /** The torso's last hidden layer, after its ReLU, [B, h_n]. */
  torso: Tensor;
  mu: Tensor;
  /** Before the clamp to [LOG_STD_MIN, LOG_STD_MAX] (the fused op clamps inside). */
  logStd: Tensor;
}

/**
 * SquashedGaussianMLPActor: the torso's last layer is activated too (mlp(..., activation,
 * activation) in core.py), then a mean head and a log-std head feed the squashed Gaussian.
 * Actions are scale * tanh(u) + shift per dimension: (high - low) / 2 and (high + low) / 2,
 * which for a symmetric box is Spinning Up's act_limit * tanh(u).
 */
export class SquashedGaussianMLPActor {
  readonly net: MLP;
  readonly muLayer: Linear;
  readonly logStdLayer: Linear;
  readonly scale: Float32Array;
  readonly shift: Float32Array;

  constructor(params: ParameterSet, prefix: string, sizes: ActorCriticSizes, low: readonly number[],
    high: readonly number[], activation: Activation = 'relu') {
    this.net = new MLP(params, `${prefix}pi.net`, [sizes.obsDim, ...sizes.hidden], activation, activation);
    this.muLayer = new Linear(params, `${prefix}pi.mu_layer`);
    this.logStdLayer = new Linear(params, `${prefix}pi.log_std_layer`);
    if (low.length !== sizes.actDim || high.length !== sizes.actDim)
      throw new RangeError(`actor: action bounds must have act_dim = ${sizes.actDim} entries, got ${low.length} and ${high.length}`);
    for (let j = 0; j < sizes.actDim; j++) {
      if (!(Number.isFinite(low[j]) && Number.isFinite(high[j]) && low[j]! < high[j]!))
        throw new RangeError(`actor: action bound ${j} must be finite with low < high, got [${low[j]}, ${high[j]}]`);
    }
    this.scale = Float32Array.from(low, (l, j) => (high[j]! - l) / 2);
    this.shift = Float32Array.from(low, (l, j) => (high[j]! + l) / 2);
  }

  init(rng: Rng): void {
    this.net.init(rng);
    this.muLayer.init(rng);
    this.logStdLayer.init(rng);
  }

  /**
   * pi(.|obs) with the given noise: eps ~ N(0, 1) of shape [B, act_dim] for a sample
   * (rsample), or null for the deterministic action scale * tanh(mu) + shift (test time).
   */
  forward(g: Tape, obs: Tensor, eps: Tensor | null, withLogProb = true): ActorSample {
    const torso = this.net.forward(g, obs);
    const mu = this.muLayer.forward(g, torso);
    const logStd = this.logStdLayer.forward(g, torso);
    const noise = eps ?? new ag.Tensor(g.zeros(mu.size), mu.shape);
    return { torso, mu, logStd, ...ag.squashedGaussian(g, mu, logStd, noise, this.scale, this.shift, withLogProb) };
  }
}

/**
 * One action for one observation, outside any graph: a sample when `rng` is given,
 * else the deterministic scale tanh(mu) + shift. The tape is reset afterwards.
 */
export function actOnce(g: Tape, actor: SquashedGaussianMLPActor, obsDim: number, actDim: number,
  obs: ArrayLike<number>, rng: Rng | null): Float32Array {
  if (obs.length !== obsDim) throw new RangeError(`act: the observation must have ${obsDim} values, got ${obs.length}`);
  return actRows(g, actor, Float32Array.from(obs), 1, obsDim, actDim, rng);
}

/**
 * Actions for B observations, obs [B, obs_dim] row-major, as actOnce: the noise is drawn row
 * after row, so one call draws what B calls of actOnce would; or it is the caller's eps
 * ([B, act_dim], held over several steps by exploreHold); or none (deterministic). Returns
 * [B, act_dim].
 */
export function actRows(g: Tape, actor: SquashedGaussianMLPActor, obs: Float32Array, B: number, obsDim: number, actDim: number,
  noise: Rng | Float32Array | null): Float32Array {
  const a = g.noGrad(() => {
    const e = noise instanceof Float32Array ? noise : noise ? noise.fillNormal(g.scratch(B * actDim)) : null;
    const eps = e ? new ag.Tensor(e, [B, actDim]) : null;
    return actor.forward(g, new ag.Tensor(obs, [B, obsDim]), eps, false).a.data.slice();
  });
  g.reset();
  return a;
}

/** MLPQFunction: Q(obs, act) = mlp(concat(obs, act)), squeezed to [B] (the trap: [B, 1]). */
export class MLPQFunction {
  readonly q: MLP;

  constructor(params: ParameterSet, name: string, sizes: ActorCriticSizes, activation: Activation = 'relu') {
    this.q = new MLP(params, `${name}.q`, [sizes.obsDim + sizes.actDim, ...sizes.hidden, 1], activation, 'identity');
  }

  init(rng: Rng): void {
    this.q.init(rng);
  }

  forward(g: Tape, obs: Tensor, act: Tensor): Tensor {
    return ag.squeeze(g, this.q.forward(g, ag.concat(g, [obs, act])));
  }
}

/** MLPActorCritic: the actor and the two Q-functions, over one ParameterSet. */
export class MLPActorCritic {
  readonly pi: SquashedGaussianMLPActor;
  readonly q1: MLPQFunction;
  readonly q2: MLPQFunction;

  constructor(params: ParameterSet, prefix: string, sizes: ActorCriticSizes, low: readonly number[],
    high: readonly number[], activation: Activation = 'relu') {
    this.pi = new SquashedGaussianMLPActor(params, prefix, sizes, low, high, activation);
    this.q1 = new MLPQFunction(params, `${prefix}q1`, sizes, activation);
    this.q2 = new MLPQFunction(params, `${prefix}q2`, sizes, activation);
  }

  init(rng: Rng): void {
    this.pi.init(rng);
    this.q1.init(rng);
    this.q2.init(rng);
  }
}
