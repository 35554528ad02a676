/**
 * The one kernel interface of softac. Three implementations: the TypeScript reference
 * (`reference.ts`, the oracle and the fallback), the native addon (`native.ts`) and the
 * same C++ compiled to WebAssembly (`wasm.ts`), each implementing every method.
 *
 * Conventions (llm.c style):
 * - every matrix is a row-major, contiguous Float32Array (a `subarray` view is fine);
 * - outputs come first; a `...Backward` call ACCUMULATES into its gradient outputs;
 * - element-wise calls take their length from the arrays, which must all agree;
 * - an output may alias an input only where the doc says so (exactly, never partially).
 * Bad input throws a TypeError (wrong type) or RangeError (wrong size, overlap) naming
 * the argument, the expected and the received value.
 */

/**
 * Spinning Up clamps log_std to [LOG_STD_MIN, LOG_STD_MAX] before exp (core.py). The one
 * home of the bounds in TypeScript; native/src/kernels.h has them for C++ (kLogStdMin,
 * kLogStdMax), and the squashed-Gaussian tests compare every path against the reference.
 */
export const LOG_STD_MIN = -20;
export const LOG_STD_MAX = 2;

export type SimdPath = 'scalar' | 'avx2' | 'avx512' | 'neon';
export type Backend = 'js' | 'native' | 'wasm';

export interface KernelInfo {
  backend: Backend;
  /** The active path: a SIMD path for the native backend, 'wasm' (SIMD128) for WebAssembly, 'js' for the reference. */
  path: SimdPath | 'wasm' | 'js';
  /** Paths this build has compiled and this CPU can run (['wasm'] for WebAssembly; [] for js). */
  paths: (SimdPath | 'wasm')[];
  /** Paths compiled into the addon (or the module), runnable here or not. */
  compiledPaths: (SimdPath | 'wasm')[];
  threads: number;
}

/** An argument of a recorded call: a buffer, null (an optional buffer not given), a number, a flag. */
export type PlanArg = Float32Array | null | number | boolean;

/**
 * One call of a captured plan (src/autograd/plan.ts): a Kernels method that returns nothing,
 * or a step of the tape's ops that is a JavaScript loop (src/autograd/host.ts), with its
 * arguments in the method's order.
 */
export interface PlanCall {
  op: string;
  args: readonly PlanArg[];
}

/** A captured sequence of calls, replayed in one call: the same calls on the same buffers. */
export interface KernelPlan {
  run(): void;
  /** Optional: the plan's size and parallelism, and how the last run spread over the lanes. */
  stats?(): PlanStats;
}

/**
 * A plan's calls; their total size and longest dependent chain (multiply-adds for the
 * products, elements otherwise): two lanes can be at most work / max(span, work / 2) times
 * faster than one without splitting a call; the calls each lane ran in the last run.
 */
export interface PlanStats {
  steps: number;
  work: number;
  span: number;
  laneSteps: number[];
}

export interface Kernels {
  readonly backend: Backend;
  info(): KernelInfo;
  /** Threads used by later calls (native: the pool size; js: recorded, always runs on 1). */
  setNumThreads(n: number): void;

  /**
   * C = alpha * op(A) * op(B) + beta * C. op(A) is (m,k): A is (m,k), or (k,m) if transA.
   * op(B) is (k,n): B is (k,n), or (n,k) if transB. C is (m,n). beta = 0 never reads C.
   * Only NN, NT and TN are supported (transA && transB is a RangeError).
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, b: Float32Array, beta: number, c: Float32Array): void;
  /** out (B,O) = inp (B,I) * weight^T + bias, weight is (O,I) as PyTorch; ReLU fused if relu. */
  linearForward(out: Float32Array, inp: Float32Array, weight: Float32Array,
    bias: Float32Array | null, B: number, I: number, O: number, relu: boolean): void;
  /**
   * dinp (B,I) += dout * weight; dweight (O,I) += dout^T * inp; dbias (O) += column sums
   * of dout. Any of the three outputs may be null (not wanted). For a fused ReLU, apply
   * reluBackward to dout first.
   */
  linearBackward(dinp: Float32Array | null, dweight: Float32Array | null,
    dbias: Float32Array | null, dout: Float32Array, inp: Float32Array, weight: Float32Array,
    B: number, I: number, O: number): void;

  /**
   * dinp (B,I) = mask > 0 ? (dout * weight) : 0, written (not accumulated); mask (B,I) may be
   * null (no masking). The input gradient of a layer whose input is a ReLU's output, taken
   * through that ReLU in the same pass: bit for bit what linearBackward onto zeros followed
   * by reluGrad gives (a NaN mask gives 0, as reluGrad).
   */
  linearInputGrad(dinp: Float32Array, dout: Float32Array, weight: Float32Array, mask: Float32Array | null,
    B: number, I: number, O: number): void;

  tanh(out: Float32Array, x: Float32Array): void;
  /** dx += dy * (1 - y^2), with y = tanh(x). */
  tanhBackward(dx: Float32Array, dy: Float32Array, y: Float32Array): void;
  exp(out: Float32Array, x: Float32Array): void;
  log(out: Float32Array, x: Float32Array): void;
  /** log(1 + e^x) without overflow; x when x > 20, as PyTorch's default threshold. */
  softplus(out: Float32Array, x: Float32Array): void;
  relu(out: Float32Array, x: Float32Array): void;
  /** dx += y > 0 ? dy : 0, with y = relu(x). */
  reluBackward(dx: Float32Array, dy: Float32Array, y: Float32Array): void;
  /** dx = y > 0 ? dy : 0, written (not added): reluBackward into a buffer that needs no zeroing. */
  reluGrad(dx: Float32Array, dy: Float32Array, y: Float32Array): void;
  clamp(out: Float32Array, x: Float32Array, lo: number, hi: number): void;
  /** dx += lo <= x <= hi ? dy : 0 (PyTorch: the bounds pass the gradient). */
  clampBackward(dx: Float32Array, dy: Float32Array, x: Float32Array, lo: number, hi: number): void;
  minimum(out: Float32Array, a: Float32Array, b: Float32Array): void;
  /** a<b: da += dy; a>b: db += dy; a==b: both += dy/2 (PyTorch splits ties). */
  minimumBackward(da: Float32Array, db: Float32Array, dy: Float32Array, a: Float32Array,
    b: Float32Array): void;
  /** out = a + b; out may be a or b. */
  add(out: Float32Array, a: Float32Array, b: Float32Array): void;
  /** out = a * b; out may be a or b. */
  mul(out: Float32Array, a: Float32Array, b: Float32Array): void;
  /** y += alpha * x. */
  axpy(y: Float32Array, alpha: number, x: Float32Array): void;
  /** out = alpha * x; out may be x. */
  scale(out: Float32Array, x: Float32Array, alpha: number): void;
  /** Sum of all elements (float32 result; fixed order for a given length and path). */
  sum(x: Float32Array): number;
  /** sum(x) / x.length. */
  mean(x: Float32Array): number;
  /** out[r] = sum over c of x[r, c]; x is (rows, cols). */
  sumRows(out: Float32Array, x: Float32Array, rows: number, cols: number): void;
  /** out[c] += sum over r of x[r, c]; x is (rows, cols). */
  sumColsAcc(out: Float32Array, x: Float32Array, rows: number, cols: number): void;

  /**
   * Spinning Up's squashed Gaussian, for rows x A (mu, logStd, eps and a are (rows, A);
   * scale and shift are (A); logp is (rows) or null):
   *   ls = clamp(logStd, -20, 2); std = exp(ls); u = mu + std * eps;
   *   a = scale * tanh(u) + shift;
   *   z = (u - mu) / std;   (eps, up to the rounding of u, as torch.distributions.Normal)
   *   logp = sum_j(-z^2/2 - ls - log(2 pi)/2) - sum_j 2 (log 2 - u - softplus(-2u)).
   */
  squashForward(a: Float32Array, logp: Float32Array | null, mu: Float32Array,
    logStd: Float32Array, eps: Float32Array, scale: Float32Array, shift: Float32Array,
    rows: number, A: number): void;
  /**
   * Accumulates dmu and dlogStd from da (rows, A) and dlogp (rows), either may be null:
   *   du = da * scale * (1 - tanh(u)^2) + dlogp * 2 tanh(u); dmu += du;
   *   dlogStd += (-20 <= logStd <= 2) ? du * std * eps - dlogp : 0.
   */
  squashBackward(dmu: Float32Array, dlogStd: Float32Array, da: Float32Array | null,
    dlogp: Float32Array | null, mu: Float32Array, logStd: Float32Array, eps: Float32Array,
    scale: Float32Array, rows: number, A: number): void;

  /**
   * One Adam step (torch.optim.Adam semantics) at step t >= 1 over flat buffers p, g, m, v:
   *   g' = g + weightDecay * p; m = lerp(m, g', 1 - beta1); v = beta2 v + (1 - beta2) g'^2;
   *   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps).
   */
  adam(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, t: number,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number): void;
  /** targ = polyak * targ + (1 - polyak) * p (Spinning Up's mul_ then add_). */
  polyak(targ: Float32Array, p: Float32Array, polyak: number): void;
  fill(x: Float32Array, value: number): void;

  /**
   * Optional (a backend without it runs every step through the tape): a plan that replays
   * `calls` in one call, validated once now (lengths, overlap), RangeError naming the call
   * if not. The buffers must stay alive and unmoved while the plan is used.
   */
  createPlan?(calls: readonly PlanCall[]): KernelPlan;
}
