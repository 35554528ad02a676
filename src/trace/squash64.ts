/**
 * The fused squashed-Gaussian op of one element, opened up in float64 along PyTorch's graph:
 * every node the fused kernel computes inside (the clamp, std, u, tanh(u), the Gaussian term,
 * the tanh correction) with its value and its gradient, and the naive float32 correction
 * beside the stable one. softac trace shows them node by node.
 */
import { LOG_STD_MAX, LOG_STD_MIN } from '../kernels/index.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** One element of the squashed Gaussian, opened into the nodes the fused op computes inside. */
export interface OpenSquash {
  logStdClamped: number;
  clampActive: boolean;
  std: number;
  u: number;
  tanhU: number;
  /** Normal(mu, std).log_prob(u) of this dimension. */
  gauss: number;
  /** log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)), the stable way. */
  correction: number;
  correctionNaive: number;
  // d loss / d node
  dMu: number;
  dLogStd: number;
  dLogStdClamped: number;
  dStd: number;
  dEps: number;
  dU: number;
  dTanhU: number;
  dGauss: number;
  dCorrection: number;
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** log(1 - tanh(u)^2) the stable way (SAC paper, appendix C; Spinning Up's core.py). */
export function correctionStable(u: number): number {
  return 2 * (Math.LN2 - u - softplus(-2 * u));
}

/** Its derivative: d/du 2 (log 2 - u - softplus(-2u)) = -2 + 4 sigmoid(-2u) = -2 tanh(u). */
export function dCorrectionStable(u: number): number {
  return -2 * Math.tanh(u);
}

const f = Math.fround;

/**
 * log(1 - tanh(u)^2) as written, rounded to float32 at every step as PyTorch's float32
 * ops would: from |u| of about 9, tanh(u) rounds to 1 and this is log(0) = -Infinity.
 */
export function correctionNaiveF32(u: number): number {
  const t = f(Math.tanh(f(u)));
  return f(Math.log(f(1 - f(t * t))));
}

/**
 * What reverse mode computes for the naive form's d/du in float32, link by link:
 * d log(w)/dw = 1/w, w = 1 - s, s = t^2, dt/du = 1 - t^2. Where t rounds to 1 this is
 * (1/0) * 0 = Infinity * 0 = NaN, which would poison every parameter it reached.
 */
export function dCorrectionNaiveF32(u: number): number {
  const t = f(Math.tanh(f(u)));
  const dw = f(1 / f(1 - f(t * t)));
  return f(f(f(-dw) * f(2 * t)) * f(1 - f(t * t)));
}

/**
 * The fused op of one element, forward and backward, in float64 along PyTorch's graph:
 *   ls = clamp(log_std); std = exp(ls); u = mu + std * eps
 *   gauss = Normal(mu, std).log_prob(u) = -((u - mu)^2) / (2 std^2) - log std - log(2 pi) / 2
 *   correction = 2 (log 2 - u - softplus(-2u)); t = tanh(u); a = act_limit * t
 *   logp = sum(gauss) - sum(correction)
 * std and u are rounded to float32 where PyTorch (and the kernels) hold them in float32 tensors,
 * so that u - mu is that of the sample actually drawn (0 when std is e^-20). `da` and
 * `dlogp` are the gradients the tape delivered to the op's outputs.
 */
export function openSquash(mu: number, logStd: number, eps: number, actLimit: number, da: number, dlogp: number): OpenSquash {
  const ls = Math.min(Math.max(logStd, LOG_STD_MIN), LOG_STD_MAX);
  const clampActive = !(LOG_STD_MIN <= logStd && logStd <= LOG_STD_MAX);
  const std = f(Math.exp(ls));
  const u = f(mu + f(std * eps));
  const diff = u - mu, variance = std * std;
  const gauss = -(diff * diff) / (2 * variance) - ls - HALF_LOG_2PI;
  const t = Math.tanh(u);
  const dGauss = dlogp, dCorrection = -dlogp, dTanhU = da * actLimit;
  // u reaches the loss through tanh, the Gaussian's value argument and the correction.
  const dU = dTanhU * (1 - t * t) + dGauss * (-diff / variance) + dCorrection * dCorrectionStable(u);
  // mu is also the Gaussian's loc; std also its scale (d/dscale of -(x-loc)^2/(2 scale^2) - log scale).
  const dMu = dU + dGauss * (diff / variance);
  const dStd = dU * eps + dGauss * ((diff * diff) / (variance * std) - 1 / std);
  const dLogStdClamped = dStd * std;
  return {
    logStdClamped: ls, clampActive, std, u, tanhU: t, gauss, correction: correctionStable(u), correctionNaive: correctionNaiveF32(u),
    dMu, dLogStd: clampActive ? 0 : dLogStdClamped, dLogStdClamped, dStd, dEps: dU * std, dU, dTanhU, dGauss, dCorrection,
  };
}
