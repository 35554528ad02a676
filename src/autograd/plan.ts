/**
 * Capture and replay (as CUDA graphs or jax.jit): a step whose shapes never change, such
 * as SAC's update, asks the kernels for the same calls on the same buffers every time.
 * `tape.capture(fn)` runs fn once as usual while a Recorder notes every kernel call and
 * every JavaScript step of the ops (host.ts); the backend turns the record into a plan
 * whose `run()` repeats all of it in one call, with no JavaScript between the kernels.
 *
 * A run writes the same buffers the captured step wrote (the arena's, the parameters',
 * the inputs'), so the step's tensors hold the results of each run. The buffers are
 * pinned: the plan keeps them alive, and run() refuses when one was detached or resized
 * since (its length changed), rather than let the native side touch freed memory.
 */
import type { KernelPlan, Kernels, PlanArg, PlanCall, PlanStats } from '../kernels/index.js';

// Kernels methods that write results into buffers and return nothing: these a plan holds.
const recordable = new Set<string>(['gemm', 'linearForward', 'linearBackward', 'linearInputGrad', 'tanh', 'tanhBackward', 'exp', 'log',
  'softplus', 'relu', 'reluBackward', 'reluGrad', 'clamp', 'clampBackward', 'minimum', 'minimumBackward', 'add', 'mul', 'axpy',
  'scale', 'sumRows', 'sumColsAcc', 'squashForward', 'squashBackward', 'adam', 'polyak', 'fill']);

/**
 * A Kernels that runs each call on `base` and records it. A call that hands a value back
 * to JavaScript (sum, mean) makes the record unreplayable: what the caller does with the
 * value is not recorded (ops use host.reduceAll instead).
 */
export class Recorder {
  readonly calls: PlanCall[] = [];
  /** Why the record cannot become a plan (the first reason), or null. */
  why: string | null = null;
  readonly kernels: Kernels;

  constructor(readonly base: Kernels) {
    this.kernels = new Proxy(base, {
      get: (target, key, receiver) => {
        const v = Reflect.get(target, key, receiver);
        if (typeof v !== 'function' || typeof key !== 'string') return v;
        if (recordable.has(key)) {
          return (...args: PlanArg[]) => {
            this.calls.push({ op: key, args });
            return (v as (...a: PlanArg[]) => unknown).apply(target, args);
          };
        }
        if (key === 'sum' || key === 'mean') {
          return (...args: PlanArg[]) => {
            this.refuse(`k.${key} returns its value to JavaScript`);
            return (v as (...a: PlanArg[]) => unknown).apply(target, args);
          };
        }
        return v.bind(target);
      },
    });
  }

  /** Notes a JavaScript step of an op (host.ts), already done. */
  host(op: string, args: readonly PlanArg[]): void {
    this.calls.push({ op, args });
  }

  refuse(why: string): void {
    this.why ??= why;
  }
}

/** A plan and the buffers it was captured on, with their lengths then. */
export class Plan {
  private readonly buffers: Float32Array[];
  private readonly lengths: number[];

  constructor(private readonly plan: KernelPlan, calls: readonly PlanCall[]) {
    const set = new Set<Float32Array>();
    for (const c of calls) for (const a of c.args) if (a instanceof Float32Array) set.add(a);
    this.buffers = [...set];
    this.lengths = this.buffers.map((b) => b.length);
  }

  /** False once a buffer was detached (transferred) or resized: the plan must not run. */
  get valid(): boolean {
    for (let i = 0; i < this.buffers.length; i++) if (this.buffers[i]!.length !== this.lengths[i]) return false;
    return true;
  }

  /** The backend's account of the plan (size, parallelism, the last run's lanes), if it gives one. */
  stats(): PlanStats | null {
    return this.plan.stats ? this.plan.stats() : null;
  }

  /** Replays the captured calls; an Error when a buffer was detached or resized since capture. */
  run(): void {
    if (!this.valid)
      throw new Error('plan.run: a buffer of the plan was detached or resized after capture; capture the step again');
    this.plan.run();
  }
}
