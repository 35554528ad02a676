/**
 * One SAC update, opened up node by node: Spinning Up's compute_loss_q and compute_loss_pi
 * on a given state dict, batch and noise, with every intermediate's value and its gradient
 * d loss / d node (what PyTorch's retain_grad would give).
 *
 * The losses, their intermediates and the parameter gradients are SAC's own: lossPi and
 * lossQ (src/sac/sac.ts) run on a tape that is not reset in between. The tape keeps a gradient for every op output until
 * reset(), so the nodes that are op outputs (the torso, mu, log_std, the action, logp, the
 * Q values) are read off it. The fused squashed-Gaussian op hides the nodes in between
 * (the clamp, std, u, tanh(u), the Gaussian term, the correction); openSquash recomputes
 * them in float64 along PyTorch's own graph, from the op's inputs and the gradients the
 * tape delivered to its outputs.
 */
import { Tape, Tensor } from '../autograd/index.js';
import * as is from '../check/is.js';
import type { NamedTensor } from '../io/safetensors.js';
import { type Kernels, LOG_STD_MAX, LOG_STD_MIN } from '../kernels/index.js';
import { ParameterSet } from '../nn/params.js';
import { type ActorCriticSizes, actorCriticSpecs, actorSizesFromShapes, MLPActorCritic } from '../sac/core.js';
import { batchTensors, lossPi as computeLossPi, lossQ as computeLossQ } from '../sac/sac.js';
import { openSquash, type OpenSquash } from './squash64.js';


export interface TraceOptions {
  /** The entropy coefficient (a fixed number, as in Spinning Up). */
  alpha: number;
  gamma: number;
  /** a = act_limit * tanh(u). */
  actLimit: number;
}

export const traceDefaults: TraceOptions = { alpha: 0.2, gamma: 0.99, actLimit: 1 };

export type LossName = 'loss_pi' | 'loss_q';

export interface TraceNode {
  /** sac.py's name for it (pi_action, logp_pi, q_pi_targ, ...). */
  name: string;
  /** The loss whose gradient `grad` is. */
  loss: LossName;
  /** [B, ...] for a node with a value per batch row; [] for a loss. */
  shape: number[];
  value: Float64Array;
  /**
   * d loss / d node; null where no gradient flows: the batch's inputs, everything inside
   * the backup (sac.py computes it under torch.no_grad()), the naive correction (shown
   * beside the stable one, not used) and the clamp flags.
   */
  grad: Float64Array | null;
  /** How it is computed, in sac.py's terms. */
  formula: string;
}

export interface Trace {
  sizes: ActorCriticSizes;
  /** Rows in the batch. */
  batchSize: number;
  opts: TraceOptions;
  lossQ: number;
  lossPi: number;
  /** The policy chain (ending in loss_pi), then the backup chain (ending in loss_q). */
  nodes: TraceNode[];
  /** Every online parameter's gradient by state-dict name: pi.* of loss_pi, q1.* and q2.* of loss_q. */
  grads: Map<string, NamedTensor>;
}

/** The batch tensors of a trace, as DESIGN.md names them. */
export const batchTensorNames = ['obs', 'act', 'rew', 'obs2', 'done', 'noise_pi', 'noise_targ'] as const;
export type TraceBatch = Record<(typeof batchTensorNames)[number], Float32Array> & { size: number };

/** Bad contents of an input file; the CLI puts the argument's name in front. */
export class TraceInputError extends Error {
  constructor(readonly input: 'checkpoint' | 'batch', message: string) {
    super(message);
  }
}

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

function checkFinite(input: 'checkpoint' | 'batch', name: string, t: NamedTensor): void {
  const i = t.data.findIndex((v) => !Number.isFinite(v));
  if (i >= 0) throw new TraceInputError(input, `'${name}' holds ${t.data[i]} at flat index ${i}; every value must be finite`);
}

/**
 * The sizes of the networks in a state dict (read from its shapes) and its online and
 * target parameters, each checked for presence, shape and finiteness.
 */
export function loadTraceCheckpoint(sd: ReadonlyMap<string, NamedTensor>): { sizes: ActorCriticSizes; params: ParameterSet; targ: ParameterSet } {
  let sizes: ActorCriticSizes;
  try {
    sizes = actorSizesFromShapes(new Map([...sd].map(([n, t]) => [n, t.shape])));
  } catch (e) {
    throw new TraceInputError('checkpoint', (e as Error).message);
  }
  if (sizes.hidden.length === 0) throw new TraceInputError('checkpoint', "'pi.net.0.weight' is there but the torso has no layers");
  const params = new ParameterSet(actorCriticSpecs(sizes));
  const targ = new ParameterSet(actorCriticSpecs(sizes, 'targ.'));
  for (const set of [params, targ]) {
    try {
      set.load(sd);
    } catch (e) {
      const hint = set === targ ? ' (a trace needs the target copy too, under targ.*)' : '';
      throw new TraceInputError('checkpoint', `${(e as Error).message}; the sizes read from pi.* are obs_dim ${sizes.obsDim}, act_dim ${sizes.actDim}, hidden ${sizes.hidden.join(',')}${hint}`);
    }
    for (const n of set.names) checkFinite('checkpoint', n, sd.get(n)!);
  }
  return { sizes, params, targ };
}

/** The batch, checked against the networks' sizes: every tensor present, of its shape, finite. */
export function loadTraceBatch(tensors: ReadonlyMap<string, NamedTensor>, sizes: ActorCriticSizes): TraceBatch {
  const obs = tensors.get('obs');
  if (!obs) throw new TraceInputError('batch', `has no tensor 'obs' (expected ${batchTensorNames.join(', ')}; it has ${[...tensors.keys()].join(', ') || 'none'})`);
  if (obs.shape.length !== 2 || obs.shape[0]! < 1)
    throw new TraceInputError('batch', `'obs' must be [B, obs_dim] with B >= 1, got shape ${shapeText(obs.shape)}`);
  const B = obs.shape[0]!, { obsDim, actDim } = sizes;
  const want: Record<(typeof batchTensorNames)[number], number[]> = {
    obs: [B, obsDim], act: [B, actDim], rew: [B], obs2: [B, obsDim], done: [B], noise_pi: [B, actDim], noise_targ: [B, actDim],
  };
  const out = { size: B } as TraceBatch;
  for (const name of batchTensorNames) {
    const t = tensors.get(name);
    if (!t) throw new TraceInputError('batch', `has no tensor '${name}' (expected ${batchTensorNames.join(', ')})`);
    const w = want[name];
    if (t.shape.length !== w.length || !t.shape.every((d, i) => d === w[i])) {
      const why = w.length === 2 && t.shape.length === 2 && t.shape[0] === B
        ? `; the checkpoint's networks read ${name.startsWith('obs') ? `obs_dim ${obsDim} (pi.net.0.weight)` : `act_dim ${actDim} (pi.mu_layer.weight)`}`
        : t.shape[0] !== B ? `; 'obs' says the batch has B = ${B} rows` : '';
      throw new TraceInputError('batch', `'${name}' has shape ${shapeText(t.shape)}, expected ${shapeText(w)}${why}`);
    }
    checkFinite('batch', name, t);
    out[name] = t.data;
  }
  return out;
}

const f64 = (x: ArrayLike<number>) => Float64Array.from(x);

/**
 * compute_loss_q and compute_loss_pi (Spinning Up's sac.py) on this state dict, batch and
 * noise, with every node's value and gradient and every parameter's gradient.
 */
export function traceUpdate(k: Kernels, checkpoint: ReadonlyMap<string, NamedTensor>, batch: ReadonlyMap<string, NamedTensor>,
  options: Partial<TraceOptions> = {}): Trace {
  is.plainObject('traceUpdate: options', options);
  is.knownKeys('traceUpdate', options, ['alpha', 'gamma', 'actLimit']);
  const opts = { ...traceDefaults, ...options };
  is.finite("traceUpdate: option 'alpha'", opts.alpha, 0);
  is.finite("traceUpdate: option 'gamma'", opts.gamma, 0, 1);
  is.finite("traceUpdate: option 'actLimit'", opts.actLimit, Number.MIN_VALUE);
  const { sizes, params, targ } = loadTraceCheckpoint(checkpoint);
  const b = loadTraceBatch(batch, sizes);
  const B = b.size, { obsDim, actDim } = sizes, { alpha, gamma, actLimit } = opts;
  targ.setRequiresGrad('targ.', false);
  const low = new Array<number>(actDim).fill(-actLimit), high = new Array<number>(actDim).fill(actLimit);
  const ac = new MLPActorCritic(params, '', sizes, low, high);
  const acTarg = new MLPActorCritic(targ, 'targ.', sizes, low, high);
  const g = new Tape(k);
  params.zeroGrad(k);
  const t = batchTensors(b, obsDim, actDim);
  const nodes: TraceNode[] = [];
  const node = (name: string, loss: LossName, shape: number[], value: ArrayLike<number>, grad: ArrayLike<number> | null, formula: string) =>
    nodes.push({ name, loss, shape, value: f64(value), grad: grad && f64(grad), formula });

  try {
    // compute_loss_pi, with the Q-networks frozen as in sac.py's update().
    params.setRequiresGrad('q', false);
    const eps = new Tensor(b.noise_pi, [B, actDim]);
    const { loss: lossPi, pi: { torso: h, mu, logStd, a: piAction }, logpPi: logp, q1Pi, q2Pi, qPi } = computeLossPi(g, ac, t.o, eps, alpha);
    g.backward(lossPi);

    const n = B * actDim, open: OpenSquash[] = [];
    for (let i = 0; i < n; i++) open.push(openSquash(mu.data[i]!, logStd.data[i]!, eps.data[i]!, actLimit, piAction.grad![i]!, logp.grad![Math.floor(i / actDim)]!));
    const col = (key: keyof OpenSquash) => open.map((x) => Number(x[key]));
    const H = sizes.hidden[sizes.hidden.length - 1]!, BA = [B, actDim];
    node('torso', 'loss_pi', [B, H], h.data, h.grad, 'pi.net(o): the last hidden layer, after its ReLU');
    node('mu', 'loss_pi', BA, mu.data, mu.grad, 'pi.mu_layer(torso)');
    node('log_std', 'loss_pi', BA, logStd.data, logStd.grad, 'pi.log_std_layer(torso)');
    node('log_std_clamped', 'loss_pi', BA, col('logStdClamped'), col('dLogStdClamped'), `clamp(log_std, ${LOG_STD_MIN}, ${LOG_STD_MAX})`);
    node('clamp_active', 'loss_pi', BA, col('clampActive'), null, `1 where log_std is outside [${LOG_STD_MIN}, ${LOG_STD_MAX}]`);
    node('std', 'loss_pi', BA, col('std'), col('dStd'), 'exp(log_std_clamped)');
    node('eps', 'loss_pi', BA, eps.data, col('dEps'), 'the batch\'s noise_pi, eps ~ N(0, 1)');
    node('u', 'loss_pi', BA, col('u'), col('dU'), 'mu + std * eps');
    node('tanh_u', 'loss_pi', BA, col('tanhU'), col('dTanhU'), 'tanh(u)');
    node('pi_action', 'loss_pi', BA, piAction.data, piAction.grad, 'act_limit * tanh(u)');
    node('log_prob_gauss', 'loss_pi', BA, col('gauss'), col('dGauss'), 'Normal(mu, std).log_prob(u)');
    node('correction', 'loss_pi', BA, col('correction'), col('dCorrection'), '2 * (log 2 - u - softplus(-2u)) = log(1 - tanh(u)^2)');
    node('correction_naive_f32', 'loss_pi', BA, col('correctionNaive'), null, 'log(1 - tanh(u)^2) as written, in float32');
    node('logp_pi', 'loss_pi', [B], logp.data, logp.grad, 'sum(log_prob_gauss) - sum(correction)');
    node('q1_pi', 'loss_pi', [B], q1Pi.data, q1Pi.grad, 'q1(o, pi_action)');
    node('q2_pi', 'loss_pi', [B], q2Pi.data, q2Pi.grad, 'q2(o, pi_action)');
    node('q_pi', 'loss_pi', [B], qPi.data, qPi.grad, 'min(q1_pi, q2_pi)');
    node('loss_pi', 'loss_pi', [], lossPi.data, [1], 'mean(alpha * logp_pi - q_pi)');
    params.setRequiresGrad('q', true);

    // compute_loss_q: the backup under no_grad, as in sac.py.
    const { loss: lossQ, q1, q2, backup: bk } = computeLossQ(g, ac, acTarg, t, new Tensor(b.noise_targ, [B, actDim]), alpha, gamma);
    g.backward(lossQ);
    node('r', 'loss_q', [B], b.rew, null, 'the batch\'s rew');
    node('d', 'loss_q', [B], b.done, null, 'the batch\'s done: 1 for a true termination');
    node('a2', 'loss_q', BA, bk.a2.data, null, 'a2 ~ pi(.|o2), with the batch\'s noise_targ');
    node('logp_a2', 'loss_q', [B], bk.logpA2.data, null, 'log pi(a2|o2)');
    node('q1_pi_targ', 'loss_q', [B], bk.q1PiTarg.data, null, 'targ q1(o2, a2)');
    node('q2_pi_targ', 'loss_q', [B], bk.q2PiTarg.data, null, 'targ q2(o2, a2)');
    node('q_pi_targ', 'loss_q', [B], bk.qPiTarg.data, null, 'min(q1_pi_targ, q2_pi_targ)');
    node('backup', 'loss_q', [B], bk.backup.data, null, 'r + gamma * (1 - d) * (q_pi_targ - alpha * logp_a2)');
    node('q1', 'loss_q', [B], q1.data, q1.grad, 'q1(o, a)');
    node('q2', 'loss_q', [B], q2.data, q2.grad, 'q2(o, a)');
    node('loss_q', 'loss_q', [], lossQ.data, [1], 'mean((q1 - backup)^2) + mean((q2 - backup)^2)');

    const grads = new Map<string, NamedTensor>();
    for (const name of params.names) {
      const p = params.get(name);
      grads.set(name, { shape: p.shape, data: p.grad!.slice() });
    }
    return { sizes, batchSize: B, opts, lossQ: lossQ.item(), lossPi: lossPi.item(), nodes, grads };
  } finally {
    params.setRequiresGrad('q', true);
    g.reset();
  }
}

/** Why a node has no gradient (grad null). */
export function noGradReason(name: string): string {
  if (name === 'r' || name === 'd') return 'an input';
  if (name === 'clamp_active') return 'a flag';
  if (name === 'correction_naive_f32') return 'not used; shown beside the stable form';
  return 'inside the no_grad backup';
}

/** The node named `name`; throws if there is none. */
export function traceNode(trace: Trace, name: string): TraceNode {
  const n = trace.nodes.find((x) => x.name === name);
  if (!n) throw new RangeError(`trace has no node '${name}'`);
  return n;
}

/** The values (or gradients) of one batch row of a node; a loss has one value for all rows. */
export function rowOf(n: TraceNode, row: number, which: 'value' | 'grad' = 'value'): number[] | null {
  const data = which === 'value' ? n.value : n.grad;
  if (!data) return null;
  if (n.shape.length === 0) return [data[0]!];
  const w = data.length / n.shape[0]!;
  return Array.from(data.subarray(row * w, (row + 1) * w));
}

/** Summary statistics over every element (non-finite ones make them non-finite, as they should). */
export function summary(data: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let s = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    s += data[i]!;
    min = Math.min(min, data[i]!);
    max = Math.max(max, data[i]!);
  }
  const mean = s / data.length;
  let v = 0;
  for (let i = 0; i < data.length; i++) v += (data[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / data.length), min, max };
}

/** The L2 norm of each parameter's gradient, by state-dict name. */
export function gradNorms(trace: Trace): Map<string, number> {
  return new Map([...trace.grads].map(([n, t]) => {
    let s = 0;
    for (const v of t.data) s += v * v;
    return [n, Math.sqrt(s)];
  }));
}
