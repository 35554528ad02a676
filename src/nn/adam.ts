/**
 * torch.optim.Adam over a flat parameter buffer (one kernel call per step), with PyTorch's
 * defaults and semantics: bias-corrected moments, eps added after the square root, L2
 * weight decay added to the gradient.
 */
import * as is from '../check/is.js';
import type { Kernels } from '../kernels/index.js';

export interface AdamOptions {
  /** Learning rate (PyTorch default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moments (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator after the square root (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
}

export interface AdamState {
  t: number;
  m: Float32Array;
  v: Float32Array;
}

export class Adam {
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** Steps taken so far (PyTorch's `state['step']`). */
  t = 0;
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(private readonly k: Kernels, readonly params: Float32Array, readonly grads: Float32Array, opts: AdamOptions = {}) {
    if (params.length !== grads.length)
      throw new RangeError(`Adam: params and grads must have the same length, got ${params.length} and ${grads.length}`);
    is.plainObject('Adam: options', opts);
    is.knownKeys('Adam', opts, ['lr', 'betas', 'eps', 'weightDecay']);
    const subject = (key: string) => `Adam: option '${key}'`;
    this.lr = opts.lr ?? 1e-3;
    is.finite(subject('lr'), this.lr, 0);
    const betas: unknown = opts.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) throw is.invalidParameterError(subject('betas'), 'a pair [beta1, beta2]', betas, 'type');
    [this.beta1, this.beta2] = betas as [number, number];
    // [0, 1): a beta of 1 never forgets and divides by 1 - 1^t = 0 in the bias correction.
    for (const [i, beta] of [this.beta1, this.beta2].entries()) {
      is.finite(`${subject('betas')}[${i}]`, beta, 0, 1);
      if (beta === 1) throw is.invalidParameterError(`${subject('betas')}[${i}]`, 'a number in [0, 1)', beta);
    }
    this.eps = opts.eps ?? 1e-8;
    is.finite(subject('eps'), this.eps, 0);
    this.weightDecay = opts.weightDecay ?? 0;
    is.finite(subject('weightDecay'), this.weightDecay, 0);
    this.m = new Float32Array(params.length);
    this.v = new Float32Array(params.length);
  }

  step(): void {
    this.t++;
    this.k.adam(this.params, this.grads, this.m, this.v, this.t, this.lr, this.beta1, this.beta2, this.eps, this.weightDecay);
  }

  /** grads = 0, through `k` (the optimizer's kernels, or a tape's, so a captured step holds it). */
  zeroGrad(k: Kernels = this.k): void {
    k.fill(this.grads, 0);
  }

  state(): AdamState {
    return { t: this.t, m: this.m.slice(), v: this.v.slice() };
  }

  setState(s: AdamState): void {
    if (s.m.length !== this.m.length || s.v.length !== this.v.length || !Number.isInteger(s.t) || s.t < 0)
      throw new RangeError(`Adam.setState: expected t >= 0 and moments of length ${this.m.length}, got t = ${s.t}, ${s.m.length} and ${s.v.length}`);
    this.t = s.t;
    this.m.set(s.m);
    this.v.set(s.v);
  }
}
