/**
 * The tape: reverse-mode autodiff in the manner of micrograd, with the graph kept as a list
 * in the order the ops ran. Each op (ops/*.ts) computes its output with the kernels and
 * records a backward closure right next to it; `backward(loss)` walks the list in reverse.
 *
 * One step of training is: forward (ops record), `backward(loss)`, read the gradients,
 * `reset()`. Buffers come from an arena that reset() recycles, so a warmed-up step
 * allocates no typed arrays.
 */
import * as is from '../check/is.js';
import type { Kernels } from '../kernels/index.js';
import { Arena, type FloatArrayKind } from './arena.js';
import { Plan, Recorder } from './plan.js';
import { shapeStr, Tensor } from './tensor.js';

export type { FloatArrayKind } from './arena.js';

export interface TapeOptions {
  /**
   * Check every value as it enters backward (the loss and each gradient) and throw,
   * naming the op and the first bad index, at the first NaN or infinity.
   */
  debugNaN?: boolean;
  /** float64 storage: only for the finite-difference gradcheck on the float64 reference. */
  kind?: FloatArrayKind;
}

/** What tape.capture(fn) gives: fn's result, and its plan, or why there is none. */
export interface Captured<T> {
  result: T;
  plan: Plan | null;
  why: string | null;
}

interface Entry {
  op: string;
  outs: readonly Tensor[];
  inputs: readonly Tensor[];
  backward: () => void;
}

export class Tape {
  private readonly arena: Arena;
  private entries: Entry[] = [];
  /** Leaves (not parameters) whose gradient buffer came from the arena. */
  private leafGrads: Tensor[] = [];
  private noGradDepth = 0;
  readonly debugNaN: boolean;
  readonly kind: FloatArrayKind;
  private recorder: Recorder | null = null;

  constructor(readonly kernels: Kernels, opts: TapeOptions = {}) {
    is.plainObject('Tape: options', opts);
    is.knownKeys('Tape', opts, ['debugNaN', 'kind']);
    if (opts.debugNaN !== undefined) is.boolean("Tape: option 'debugNaN'", opts.debugNaN);
    if (opts.kind !== undefined) is.oneOf("Tape: option 'kind'", opts.kind, ['float32', 'float64']);
    this.kind = opts.kind ?? 'float32';
    this.debugNaN = opts.debugNaN ?? false;
    this.arena = new Arena(this.kind);
  }

  /** The kernels the ops call: `kernels`, or while capturing, a recorder around them. */
  get k(): Kernels {
    return this.recorder ? this.recorder.kernels : this.kernels;
  }

  /** Whether a capture is under way (host.ts records its steps only then). */
  get capturing(): boolean {
    return this.recorder !== null;
  }

  /** Notes a JavaScript step of an op for the plan being captured (host.ts). */
  recordHost(op: string, args: readonly (Float32Array | null | number)[]): void {
    this.recorder?.host(op, args);
  }

  /** Marks the capture under way as unreplayable: an op did work the plan cannot repeat. */
  notCapturable(why: string): void {
    this.recorder?.refuse(why);
  }

  /**
   * Runs fn once, as without capture, and records what it asked of the kernels: the plan
   * replays it in one call (src/autograd/plan.ts). The plan repeats the same calls on the
   * same buffers, so it is only for a step whose shapes, inputs' buffers and constants stay
   * those of this run; plan is null (with why) when the backend has no plans or fn did
   * something a plan cannot repeat. The step's graph is consumed or reset by fn as usual.
   */
  capture<T>(fn: () => T): Captured<T> {
    if (this.recorder) throw new Error('tape.capture: a capture is already under way (captures do not nest)');
    if (!this.kernels.createPlan) return { result: fn(), plan: null, why: `the ${this.kernels.backend} backend has no plans` };
    if (this.debugNaN) return { result: fn(), plan: null, why: 'debugNaN reads every gradient in JavaScript' };
    const recorder = new Recorder(this.kernels);
    this.recorder = recorder;
    let result: T;
    try {
      result = fn();
    } finally {
      this.recorder = null;
    }
    if (recorder.why) return { result, plan: null, why: recorder.why };
    return { result, plan: new Plan(this.kernels.createPlan(recorder.calls), recorder.calls), why: null };
  }

  /** Whether ops record their backward now (false inside noGrad). */
  get gradEnabled(): boolean {
    return this.noGradDepth === 0;
  }

  /** Runs fn without recording: for the target networks, acting, evaluation. */
  noGrad<T>(fn: () => T): T {
    this.noGradDepth++;
    try {
      return fn();
    } finally {
      this.noGradDepth--;
    }
  }

  /** A tensor for an op's output, from the arena (contents unspecified). */
  empty(shape: readonly number[], name = ''): Tensor {
    return new Tensor(this.arena.take(shape.reduce((a, b) => a * b, 1)), shape, false, name);
  }

  /** Arena scratch of n elements, valid until reset() (contents unspecified). */
  scratch(n: number): Float32Array {
    return this.arena.take(n);
  }

  /** See Arena.transient: a buffer reused by every call with this (n, slot). */
  transient(n: number, slot: number): Float32Array {
    return this.arena.transient(n, slot);
  }

  /** Arena scratch of n zeros. */
  zeros(n: number): Float32Array {
    const buf = this.arena.take(n);
    this.k.fill(buf, 0);
    return buf;
  }

  /**
   * Records an op whose outputs are `outs` and whose inputs are `inputs`. The backward
   * closure runs only if some input requires a gradient and grad mode is on; it reads the
   * outputs' `.grad` and accumulates into the inputs' `.grad` (of those that require it).
   */
  record(op: string, outs: readonly Tensor[], inputs: readonly Tensor[], backward: () => void): void {
    if (!this.gradEnabled || !inputs.some((t) => t.requiresGrad)) return;
    for (const o of outs) o.requiresGrad = true;
    this.entries.push({ op, outs, inputs, backward });
  }

  /**
   * d(loss)/d(everything that requires grad). Parameters accumulate into their gradient
   * buffers (zero them between steps); other tensors get fresh gradients.
   */
  backward(loss: Tensor): void {
    if (loss.size !== 1)
      throw new RangeError(`backward: the loss must be a scalar (one element), got shape ${shapeStr(loss.shape)}; reduce it first with sum() or mean()`);
    const end = this.entries.findLastIndex((e) => e.outs.includes(loss));
    if (end < 0) {
      if (!loss.requiresGrad)
        throw new Error('backward: the loss does not depend on anything that requires a gradient (was it computed inside noGrad, or from frozen parameters only?)');
      throw new Error('backward: the graph of this loss was already freed by an earlier backward() or reset(); run the forward pass again to get a new graph (softac keeps no retain_graph)');
    }
    if (this.debugNaN) this.checkFinite('the loss', loss.data, loss.name || 'loss');
    const entries = this.entries.slice(0, end + 1);
    for (const e of entries) {
      for (const o of e.outs) o.grad = this.zeros(o.size);
    }
    loss.grad![0] = 1;
    if (this.recorder) this.recordHost('fill', [loss.grad!, 1]);
    // Inputs to the graph that require a gradient but own no buffer for it (an observation
    // in a gradcheck, say) get a zeroed one; parameters come with theirs.
    for (const e of entries) {
      for (const t of e.inputs) {
        if (t.requiresGrad && t.grad === null) {
          t.grad = this.zeros(t.size);
          this.leafGrads.push(t);
        }
      }
    }
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      e.backward();
      if (this.debugNaN) {
        e.inputs.forEach((t, j) => {
          if (t.requiresGrad) this.checkFinite(`the gradient that ${e.op} passed to its input ${j}`, t.grad!, t.name || `input ${j}`);
        });
      }
    }
    // The graph is consumed: a second backward through it is an error, as in PyTorch.
    this.entries = this.entries.slice(end + 1);
  }

  /** Ends the step: forgets the graph and recycles every buffer for the next one. */
  reset(): void {
    this.entries = [];
    for (const t of this.leafGrads) t.grad = null;
    this.leafGrads = [];
    this.arena.reset();
  }

  private checkFinite(what: string, data: Float32Array, name: string): void {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!))
        throw new Error(`backward (debugNaN): ${what} ('${name}') is ${data[i]} at index ${i}`);
    }
  }
}
