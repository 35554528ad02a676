/**
 * The WebAssembly backend over one instance of softac.wasm (native/src built by
 * scripts/build-wasm.mjs: the same kernels, SIMD128, one thread): every call validated here
 * first (src/kernels/validate.ts), since the module's exports check nothing. No Node API is
 * used, so a browser imports this file as it is; src/kernels/wasm.ts finds and loads the
 * module in Node.
 *
 * Memory: a WebAssembly module computes on its own linear memory only, and the kernels
 * take the caller's Float32Arrays. Each call copies its inputs into a staging area in that
 * memory, calls the export, and copies its outputs back (an output that the kernel only
 * writes is not copied in; one it accumulates into is). The alternative, parameters,
 * gradients and activations allocated inside the module's memory, saves the copies but
 * hands out views that the next `memory.grow` detaches (length 0, silently), everywhere in
 * the autograd and the nn layer; the copies cost a few percent of a SAC update (README, "The
 * WebAssembly backend"), the price paid for plain Float32Arrays. The staging views are
 * refreshed whenever the memory has grown, which a call itself may do (GEMM's packing
 * scratch, the staging area).
 */
import { type KernelInfo, type Kernels, LOG_STD_MAX, LOG_STD_MIN } from './types.js';
import * as check from './validate.js';

/**
 * The part of the JavaScript WebAssembly API used here, typed locally: TypeScript types it
 * in lib.dom only, which this Node package does not include (and a global declaration of
 * ours would clash with a user's lib.dom).
 */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
export const webAssembly = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;

/** The module's exports (native/src/wasm/exports.cc): pointers are byte offsets, 0 is null. */
interface WasmExports {
  memory: { readonly buffer: ArrayBuffer };
  softac_alloc(bytes: number): number;
  softac_free(ptr: number): void;
  softac_log_std_min(): number;
  softac_log_std_max(): number;
  softac_gemm(ta: number, tb: number, m: number, n: number, k: number, alpha: number, a: number, b: number, beta: number, c: number): void;
  softac_linear_forward(out: number, inp: number, w: number, bias: number, B: number, I: number, O: number, relu: number): void;
  softac_linear_backward(dinp: number, dw: number, db: number, dout: number, inp: number, w: number, B: number, I: number, O: number): void;
  softac_linear_input_grad(dinp: number, dout: number, w: number, mask: number, B: number, I: number, O: number): void;
  softac_tanh(out: number, x: number, n: number): void;
  softac_exp(out: number, x: number, n: number): void;
  softac_log(out: number, x: number, n: number): void;
  softac_softplus(out: number, x: number, n: number): void;
  softac_relu(out: number, x: number, n: number): void;
  softac_tanh_backward(dx: number, dy: number, y: number, n: number): void;
  softac_relu_backward(dx: number, dy: number, y: number, n: number): void;
  softac_relu_grad(out: number, dy: number, y: number, n: number): void;
  softac_minimum(out: number, a: number, b: number, n: number): void;
  softac_add(out: number, a: number, b: number, n: number): void;
  softac_mul(out: number, a: number, b: number, n: number): void;
  softac_clamp(out: number, x: number, lo: number, hi: number, n: number): void;
  softac_clamp_backward(dx: number, dy: number, x: number, lo: number, hi: number, n: number): void;
  softac_minimum_backward(da: number, db: number, dy: number, a: number, b: number, n: number): void;
  softac_axpy(y: number, alpha: number, x: number, n: number): void;
  softac_scale(out: number, x: number, alpha: number, n: number): void;
  softac_sum(x: number, n: number): number;
  softac_mean(x: number, n: number): number;
  softac_sum_rows(out: number, x: number, rows: number, cols: number): void;
  softac_sum_cols_acc(out: number, x: number, rows: number, cols: number): void;
  softac_squash_forward(a: number, logp: number, mu: number, ls: number, eps: number, sc: number, sh: number, rows: number, A: number): void;
  softac_squash_backward(dmu: number, dls: number, da: number, dlogp: number, mu: number, ls: number, eps: number, sc: number, rows: number, A: number): void;
  softac_adam(p: number, g: number, m: number, v: number, n: number, t: number, lr: number, b1: number, b2: number, eps: number, wd: number): void;
  softac_polyak(targ: number, p: number, rho: number, n: number): void;
  softac_fill(x: number, value: number, n: number): void;
  softac_fma_peak(iters: number): number;
}

export interface WasmKernels extends Kernels {
  /** Single-thread FMA peak (a multiply and an add: SIMD128 has no FMA) in GFLOPS, measured now. */
  fmaPeak(): number;
  /** The module's memory in bytes now (it grows, never shrinks): for tests. */
  memoryBytes(): number;
  /** The bytes copied into and out of the module's memory so far: the cost of the copies. */
  bytesCopied(): number;
}

/** Floats per staged array are rounded up to this (64 bytes: a cache line, every vector load). */
const ALIGN = 16;

/** How each staged array moves: copied in, copied back out, or both. */
const IN = 1, OUT = 2;

/**
 * The staging area of one instance: a block of its memory that holds the arrays of the
 * call in progress, laid out one after another from the start. It grows (a new block, the
 * old one freed) when a call needs more, and never shrinks.
 */
class Staging {
  private base = 0;
  private capacity = 0;  // floats
  private heap: Float32Array;
  private top = 0;
  // The arrays of the call in progress (at most 8 per call), reused from call to call: a
  // warmed-up SAC update makes no typed array and no object here.
  private readonly xs: Float32Array[] = [];
  private readonly ptrs: number[] = [];
  private readonly modes: number[] = [];
  private count = 0;
  /** Views of staged ranges, by place and length, for the copies out (made once, not per call). */
  private readonly views = new Map<number, Float32Array>();
  copied = 0;

  constructor(private readonly ex: WasmExports) {
    this.heap = new Float32Array(ex.memory.buffer);
  }

  /**
   * A call begins that will stage these arrays (nulls need no room). Positional, not a rest
   * parameter: an array per call was a tenth of act()'s time in garbage collection.
   */
  begin(x0: Float32Array | null, x1: Float32Array | null = null, x2: Float32Array | null = null, x3: Float32Array | null = null,
    x4: Float32Array | null = null, x5: Float32Array | null = null, x6: Float32Array | null = null, x7: Float32Array | null = null): void {
    const need = room(x0) + room(x1) + room(x2) + room(x3) + room(x4) + room(x5) + room(x6) + room(x7);
    if (need > this.capacity) {
      if (this.base) this.ex.softac_free(this.base);
      this.base = 0;
      this.capacity = 0;
      // Room for twice this call, so a run of growing calls allocates a few times, not each time.
      const floats = Math.min(need * 2, 2 ** 30 - 64);
      const ptr = this.ex.softac_alloc(floats * 4) >>> 0;
      const exact = ptr === 0 && floats > need ? this.ex.softac_alloc(need * 4) >>> 0 : ptr;
      if (exact === 0) {
        throw new RangeError(`softac: the WebAssembly backend cannot hold this call's arrays: ${need * 4} bytes `
          + `do not fit its memory (at most 4 GiB, ${this.ex.memory.buffer.byteLength} bytes now)`);
      }
      this.base = exact;
      this.capacity = exact === ptr ? floats : need;
      this.views.clear();
    }
    this.refresh();
    this.top = 0;
    this.count = 0;
  }

  /** A grown memory has a new buffer, and every view of the old one is detached. */
  private refresh(): void {
    if (this.heap.buffer === this.ex.memory.buffer) return;
    this.heap = new Float32Array(this.ex.memory.buffer);
    this.views.clear();
  }

  /** The byte pointer of x in the module's memory, staged with `mode` (IN, OUT or both). */
  private put(x: Float32Array, mode: number): number {
    for (let i = 0; i < this.count; i++) {
      // The same view again (an output that may be exactly an input: add, mul, scale).
      const s = this.xs[i]!;
      if (s.buffer === x.buffer && s.byteOffset === x.byteOffset && s.length === x.length) {
        if (mode & IN && !(this.modes[i]! & IN)) this.copyIn(x, this.ptrs[i]!);
        this.modes[i]! |= mode;
        return this.ptrs[i]!;
      }
    }
    const ptr = this.base + this.top * 4;
    this.top += Math.ceil(x.length / ALIGN) * ALIGN;
    if (mode & IN) this.copyIn(x, ptr);
    this.xs[this.count] = x;
    this.ptrs[this.count] = ptr;
    this.modes[this.count] = mode;
    this.count++;
    return ptr;
  }

  private copyIn(x: Float32Array, ptr: number): void {
    this.heap.set(x, ptr >>> 2);
    this.copied += x.byteLength;
  }

  /** Read by the call. */
  in(x: Float32Array): number { return this.put(x, IN); }
  /** Read or null (0). */
  inOrNull(x: Float32Array | null): number { return x ? this.put(x, IN) : 0; }
  /** Written by the call without being read. */
  out(x: Float32Array): number { return this.put(x, OUT); }
  /** Read and written (accumulated into). */
  inout(x: Float32Array): number { return this.put(x, IN | OUT); }
  inoutOrNull(x: Float32Array | null): number { return x ? this.put(x, IN | OUT) : 0; }

  /** The call has returned: its outputs are copied back (through fresh views if it grew the memory). */
  end(): void {
    this.refresh();
    for (let i = 0; i < this.count; i++) {
      if (!(this.modes[i]! & OUT)) continue;
      const x = this.xs[i]!;
      x.set(this.view(this.ptrs[i]!, x.length));
      this.copied += x.byteLength;
    }
    // Drop the references: the staged arrays are the caller's, not ours to keep alive.
    for (let i = 0; i < this.count; i++) this.xs[i] = EMPTY;
    this.count = 0;
  }

  private view(ptr: number, length: number): Float32Array {
    // ptr is 64-byte aligned and below 2^32, length below 2^30: the key is exact.
    const key = ptr / 64 + length * 2 ** 26;
    let v = this.views.get(key);
    if (v === undefined) {
      if (this.views.size >= 1024) this.views.clear();  // a sweep over many shapes: start again
      v = new Float32Array(this.ex.memory.buffer, ptr, length);
      this.views.set(key, v);
    }
    return v;
  }
}

const EMPTY = new Float32Array(0);

/** The floats x takes in the staging area: its length rounded up to ALIGN. */
function room(x: Float32Array | null): number {
  return x ? Math.ceil(x.length / ALIGN) * ALIGN : 0;
}

/**
 * The kernels of a compiled softac.wasm (a WebAssembly.Module): for a browser, which fetches
 * and compiles the file itself (`WebAssembly.compileStreaming`); in Node, wasm.ts reads it
 * from the package. Each call instantiates the module anew, with its own memory.
 */
export function wasmKernels(module: object): WasmKernels {
  if (webAssembly === undefined) throw new Error('softac: this JavaScript engine has no WebAssembly');
  const ex = new webAssembly.Instance(module, {}).exports as WasmExports;
  if (ex.softac_log_std_min() !== LOG_STD_MIN || ex.softac_log_std_max() !== LOG_STD_MAX) {
    throw new Error(`softac.wasm clamps log_std to [${ex.softac_log_std_min()}, ${ex.softac_log_std_max()}], `
      + `this TypeScript to [${LOG_STD_MIN}, ${LOG_STD_MAX}]: the module is from another version`);
  }
  const s = new Staging(ex);
  let threads = 1;
  return {
    backend: 'wasm',
    info(): KernelInfo {
      return { backend: 'wasm', path: 'wasm', paths: ['wasm'], compiledPaths: ['wasm'], threads };
    },
    // Recorded (as the reference does); the module runs on its caller's thread.
    setNumThreads(n) { check.setNumThreads(n); threads = n as number; },
    fmaPeak() {
      let iters = 1 << 12, flops = 0, best = 0;
      const seconds = () => {
        const t0 = performance.now();
        flops = ex.softac_fma_peak(iters);
        return (performance.now() - t0) / 1e3;
      };
      while (seconds() < 0.02 && iters < 2 ** 40) iters *= 2;
      for (let r = 0; r < 3; r++) {
        const sec = seconds();
        if (sec > 0 && flops / sec > best) best = flops / sec;
      }
      return best * 1e-9;
    },
    memoryBytes() { return ex.memory.buffer.byteLength; },
    bytesCopied() { return s.copied; },
    gemm(ta, tb, m, n, k, alpha, a, b, beta, c) {
      check.gemm(ta, tb, m, n, k, alpha, a, b, beta, c);
      s.begin(a, b, c);
      // beta = 0 never reads C (a NaN there must not leak), so C is not copied in.
      const pa = s.in(a), pb = s.in(b), pc = beta === 0 ? s.out(c) : s.inout(c);
      ex.softac_gemm(+ta, +tb, m, n, k, alpha, pa, pb, beta, pc);
      s.end();
    },
    linearForward(out, inp, w, bias, B, I, O, relu) {
      check.linearForward(out, inp, w, bias, B, I, O, relu);
      s.begin(out, inp, w, bias);
      ex.softac_linear_forward(s.out(out), s.in(inp), s.in(w), s.inOrNull(bias), B, I, O, +relu);
      s.end();
    },
    linearBackward(dinp, dw, db, dout, inp, w, B, I, O) {
      check.linearBackward(dinp, dw, db, dout, inp, w, B, I, O);
      s.begin(dinp, dw, db, dout, inp, w);
      ex.softac_linear_backward(s.inoutOrNull(dinp), s.inoutOrNull(dw), s.inoutOrNull(db), s.in(dout), s.in(inp), s.in(w), B, I, O);
      s.end();
    },
    linearInputGrad(dinp, dout, w, mask, B, I, O) {
      check.linearInputGrad(dinp, dout, w, mask, B, I, O);
      s.begin(dinp, dout, w, mask);
      ex.softac_linear_input_grad(s.out(dinp), s.in(dout), s.in(w), s.inOrNull(mask), B, I, O);
      s.end();
    },
    tanh(out, x) { check.tanh(out, x); unary(ex.softac_tanh, out, x); },
    exp(out, x) { check.exp(out, x); unary(ex.softac_exp, out, x); },
    log(out, x) { check.log(out, x); unary(ex.softac_log, out, x); },
    softplus(out, x) { check.softplus(out, x); unary(ex.softac_softplus, out, x); },
    relu(out, x) { check.relu(out, x); unary(ex.softac_relu, out, x); },
    tanhBackward(dx, dy, y) { check.tanhBackward(dx, dy, y); binary(ex.softac_tanh_backward, dx, dy, y, true); },
    reluBackward(dx, dy, y) { check.reluBackward(dx, dy, y); binary(ex.softac_relu_backward, dx, dy, y, true); },
    reluGrad(out, dy, y) { check.reluGrad(out, dy, y); binary(ex.softac_relu_grad, out, dy, y, false); },
    minimum(out, a, b) { check.minimum(out, a, b); binary(ex.softac_minimum, out, a, b, false); },
    add(out, a, b) { check.add(out, a, b); binary(ex.softac_add, out, a, b, false); },
    mul(out, a, b) { check.mul(out, a, b); binary(ex.softac_mul, out, a, b, false); },
    clamp(out, x, lo, hi) {
      check.clamp(out, x, lo, hi);
      s.begin(out, x);
      ex.softac_clamp(s.out(out), s.in(x), lo, hi, x.length);
      s.end();
    },
    clampBackward(dx, dy, x, lo, hi) {
      check.clampBackward(dx, dy, x, lo, hi);
      s.begin(dx, dy, x);
      ex.softac_clamp_backward(s.inout(dx), s.in(dy), s.in(x), lo, hi, dx.length);
      s.end();
    },
    minimumBackward(da, db, dy, a, b) {
      check.minimumBackward(da, db, dy, a, b);
      s.begin(da, db, dy, a, b);
      ex.softac_minimum_backward(s.inout(da), s.inout(db), s.in(dy), s.in(a), s.in(b), da.length);
      s.end();
    },
    axpy(y, alpha, x) {
      check.axpy(y, alpha, x);
      s.begin(y, x);
      ex.softac_axpy(s.inout(y), alpha, s.in(x), y.length);
      s.end();
    },
    scale(out, x, alpha) {
      check.scale(out, x, alpha);
      s.begin(out, x);
      // x first: when out is exactly x, the one staged copy is read, then written back.
      const px = s.in(x);
      ex.softac_scale(s.out(out), px, alpha, x.length);
      s.end();
    },
    sum(x) {
      check.sum(x);
      s.begin(x);
      const r = ex.softac_sum(s.in(x), x.length);
      s.end();
      return r;
    },
    mean(x) {
      check.mean(x);
      s.begin(x);
      const r = ex.softac_mean(s.in(x), x.length);
      s.end();
      return r;
    },
    sumRows(out, x, rows, cols) {
      check.sumRows(out, x, rows, cols);
      s.begin(out, x);
      ex.softac_sum_rows(s.out(out), s.in(x), rows, cols);
      s.end();
    },
    sumColsAcc(out, x, rows, cols) {
      check.sumColsAcc(out, x, rows, cols);
      s.begin(out, x);
      ex.softac_sum_cols_acc(s.inout(out), s.in(x), rows, cols);
      s.end();
    },
    squashForward(a, logp, mu, ls, eps, sc, sh, rows, A) {
      check.squashForward(a, logp, mu, ls, eps, sc, sh, rows, A);
      s.begin(a, logp, mu, ls, eps, sc, sh);
      const pmu = s.in(mu), pls = s.in(ls), peps = s.in(eps), psc = s.in(sc), psh = s.in(sh);
      ex.softac_squash_forward(s.out(a), logp ? s.out(logp) : 0, pmu, pls, peps, psc, psh, rows, A);
      s.end();
    },
    squashBackward(dmu, dls, da, dlogp, mu, ls, eps, sc, rows, A) {
      check.squashBackward(dmu, dls, da, dlogp, mu, ls, eps, sc, rows, A);
      s.begin(dmu, dls, da, dlogp, mu, ls, eps, sc);
      ex.softac_squash_backward(s.inout(dmu), s.inout(dls), s.inOrNull(da), s.inOrNull(dlogp), s.in(mu), s.in(ls),
        s.in(eps), s.in(sc), rows, A);
      s.end();
    },
    adam(p, g, m, v, t, lr, b1, b2, eps, wd) {
      check.adam(p, g, m, v, t, lr, b1, b2, eps, wd);
      s.begin(p, g, m, v);
      ex.softac_adam(s.inout(p), s.in(g), s.inout(m), s.inout(v), p.length, t, lr, b1, b2, eps, wd);
      s.end();
    },
    polyak(targ, p, rho) {
      check.polyak(targ, p, rho);
      s.begin(targ, p);
      ex.softac_polyak(s.inout(targ), s.in(p), rho, targ.length);
      s.end();
    },
    fill(x, value) {
      check.fill(x, value);
      s.begin(x);
      ex.softac_fill(s.out(x), value, x.length);
      s.end();
    },
  };

  function unary(f: (out: number, x: number, n: number) => void, out: Float32Array, x: Float32Array): void {
    s.begin(out, x);
    f(s.out(out), s.in(x), x.length);
    s.end();
  }

  /** out = f(a, b), or out += f(a, b) when acc; out may be exactly a or b where the method allows it. */
  function binary(f: (out: number, a: number, b: number, n: number) => void, out: Float32Array, a: Float32Array,
    b: Float32Array, acc: boolean): void {
    s.begin(out, a, b);
    const pa = s.in(a), pb = s.in(b);
    f(acc ? s.inout(out) : s.out(out), pa, pb, out.length);
    s.end();
  }
}
