/**
 * torch.optim.Adam over a flat parameter buffer (one kernel call per step), with PyTorch's
 * defaults and semantics: bias-corrected moments, eps added after the square root, L2
 * weight decay added to the gradient.
 */
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
    this.lr = opts.lr ?? 1e-3;
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    const bad = (name: string, v: number, ok: boolean, want: string) => {
      if (!ok) throw new RangeError(`Adam: ${name} must be ${want}, got ${v}`);
    };
    bad('lr', this.lr, Number.isFinite(this.lr) && this.lr >= 0, 'a finite number >= 0');
    bad('betas[0]', this.beta1, this.beta1 >= 0 && this.beta1 < 1, 'in [0, 1)');
    bad('betas[1]', this.beta2, this.beta2 >= 0 && this.beta2 < 1, 'in [0, 1)');
    bad('eps', this.eps, this.eps >= 0, '>= 0');
    bad('weightDecay', this.weightDecay, this.weightDecay >= 0, '>= 0');
    this.m = new Float32Array(params.length);
    this.v = new Float32Array(params.length);
  }

  step(): void {
    this.t++;
    this.k.adam(this.params, this.grads, this.m, this.v, this.t, this.lr, this.beta1, this.beta2, this.eps, this.weightDecay);
  }

  zeroGrad(): void {
    this.k.fill(this.grads, 0);
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
