/**
 * The tanh-squashed Gaussian policy of Spinning Up (SquashedGaussianMLPActor.forward), fused
 * into one kernel pair:
 *   ls = clamp(log_std, -20, 2); std = exp(ls); u = mu + std * eps       (rsample)
 *   a = scale * tanh(u) + shift                                           (per-dimension bounds)
 *   logp = sum(Normal(mu, std).log_prob(u)) - sum(2 (log 2 - u - softplus(-2u)))
 * The second sum is log(1 - tanh(u)^2) in the form that stays finite for large |u|
 * (the naive form is log(0) = -inf in float32 from |u| of about 9).
 */
import type { Tape } from '../tape.js';
import { shapeStr, Tensor } from '../tensor.js';

export interface SquashedSample {
  /** The action, [B, A]. */
  a: Tensor;
  /** log pi(a | s), [B]; null when not asked for. */
  logp: Tensor | null;
}

// mu, logStd and eps are [B, A]; scale and shift are [A] (act_limit and 0 for Spinning Up).
export function squashedGaussian(g: Tape, mu: Tensor, logStd: Tensor, eps: Tensor, scale: Float32Array,
  shift: Float32Array, withLogProb = true): SquashedSample {
  const A = mu.shape[mu.shape.length - 1] ?? 1, rows = mu.size / A;
  for (const [name, t] of [['logStd', logStd], ['eps', eps]] as const) {
    if (t.shape.length !== mu.shape.length || !t.shape.every((d, i) => d === mu.shape[i]))
      throw new RangeError(`squashedGaussian: ${name} ${shapeStr(t.shape)} must have mu's shape ${shapeStr(mu.shape)}`);
  }
  if (scale.length !== A || shift.length !== A)
    throw new RangeError(`squashedGaussian: scale and shift must have length A = ${A}, got ${scale.length} and ${shift.length}`);
  const a = g.empty(mu.shape, 'action');
  const logp = withLogProb ? g.empty(mu.shape.slice(0, -1), 'logp') : null;
  g.k.squashForward(a.data, logp ? logp.data : null, mu.data, logStd.data, eps.data, scale, shift, rows, A);
  g.record('squashed_gaussian', logp ? [a, logp] : [a], [mu, logStd], () => {
    const dmu = mu.requiresGrad ? mu.grad! : g.zeros(mu.size);
    const dls = logStd.requiresGrad ? logStd.grad! : g.zeros(logStd.size);
    g.k.squashBackward(dmu, dls, a.grad!, logp ? logp.grad! : null, mu.data, logStd.data, eps.data, scale, rows, A);
  });
  return { a, logp };
}
