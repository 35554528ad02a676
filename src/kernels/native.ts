/**
 * The native backend: the only file that knows the addon exists. It finds and loads
 * `softac.node`, types it, and wraps it as a `Kernels` whose every call is validated here
 * (src/kernels/validate.ts) and once more in C++ before any memory is touched.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { KernelInfo, KernelPlan, Kernels, PlanCall, PlanStats, SimdPath } from './types.js';
import * as check from './validate.js';

/** The addon as C++ exports it: the Kernels methods with the same positional arguments. */
export interface RawAddon {
  info(): {
    path: SimdPath; paths: SimdPath[]; compiledPaths: SimdPath[]; threads: number; envError: string;
    /** native/src/kernels.h's kLogStdMin/kLogStdMax: LOG_STD_MIN/LOG_STD_MAX on the C++ side. */
    logStdMin: number; logStdMax: number;
    /** Fork-join barriers the thread pool has run so far (native/src/pool.h). */
    barriers: number;
  };
  setNumThreads(n: number): void;
  setSimdPath(path: string): void;
  fmaPeak(): number;
  exitAfter(ms: number, code: number): void;
  gemm: Kernels['gemm'];
  linearForward: Kernels['linearForward'];
  linearBackward: Kernels['linearBackward'];
  linearInputGrad: Kernels['linearInputGrad'];
  tanh: Kernels['tanh'];
  tanhBackward: Kernels['tanhBackward'];
  exp: Kernels['exp'];
  log: Kernels['log'];
  softplus: Kernels['softplus'];
  relu: Kernels['relu'];
  reluBackward: Kernels['reluBackward'];
  reluGrad: Kernels['reluGrad'];
  clamp: Kernels['clamp'];
  clampBackward: Kernels['clampBackward'];
  minimum: Kernels['minimum'];
  minimumBackward: Kernels['minimumBackward'];
  add: Kernels['add'];
  mul: Kernels['mul'];
  axpy: Kernels['axpy'];
  scale: Kernels['scale'];
  sum: Kernels['sum'];
  mean: Kernels['mean'];
  sumRows: Kernels['sumRows'];
  sumColsAcc: Kernels['sumColsAcc'];
  squashForward: Kernels['squashForward'];
  squashBackward: Kernels['squashBackward'];
  adam: Kernels['adam'];
  polyak: Kernels['polyak'];
  fill: Kernels['fill'];
  /** The calls a plan may hold, in opcode order (native/src/plan.cc). */
  planOps(): string[];
  /** A plan over `buffers`; `code` is each call's opcode, argument count and arguments. */
  planCreate(buffers: Float32Array[], code: Float64Array): object;
  planRun(plan: object): void;
  planStats(plan: object): PlanStats;
}

/** The native backend's info: its paths are SIMD paths. */
export interface NativeKernelInfo extends KernelInfo {
  path: SimdPath;
  paths: SimdPath[];
  compiledPaths: SimdPath[];
}

export interface NativeKernels extends Kernels {
  info(): NativeKernelInfo;
  /** Switch the SIMD path for later calls; RangeError if not compiled or not supported here. */
  setSimdPath(path: SimdPath): void;
  /** Single-thread FMA peak of the active path in GFLOPS, measured now by a probe. */
  fmaPeak(): number;
}

// This file is src/kernels/native.ts, compiled to dist/src/kernels/native.js.
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where a loaded addon came from: $SOFTAC_ADDON, the package's prebuild, or a local build. */
export type AddonOrigin = 'SOFTAC_ADDON' | 'prebuild' | 'local build';

interface LoadResult {
  addon: RawAddon | null;
  /** The file that loaded, and from where. */
  file: string | null;
  origin: AddonOrigin | null;
  /** Why each place tried before it (or every place, when none loaded) was not used. */
  skipped: string[];
  error: string | null;
}

let loaded: LoadResult | null = null;

/** A path as the user should read it: relative to the package when inside it. */
function shown(file: string): string {
  const r = relative(packageRoot, file);
  return r.startsWith('..') || isAbsolute(r) ? file : r;
}

/**
 * The prebuilt binary for this platform (`prebuilds/<platform>-<arch>/softac.node`, put in
 * the package by `npm pack`), or why there is none. The Linux ones link against glibc, so a
 * musl Linux (Alpine), whose process report has no glibc version, cannot use them.
 */
function prebuild(): { file: string } | { why: string } {
  const tag = `${process.platform}-${process.arch}`;
  const file = join(packageRoot, 'prebuilds', tag, 'softac.node');
  if (!existsSync(file)) return { why: `none for ${tag}` };
  if (process.platform === 'linux') {
    const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
    if (header?.glibcVersionRuntime === undefined) return { why: `${shown(file)} needs glibc; this Linux has none (musl?)` };
  }
  return { file };
}

function tryRequire(file: string): { addon: RawAddon } | { why: string } {
  try {
    return { addon: createRequire(import.meta.url)(file) as RawAddon };
  } catch (e) {
    return { why: `loading ${shown(file)} failed: ${(e as Error).message}` };
  }
}

type Place = { origin: AddonOrigin; file: string } | { origin: AddonOrigin; why: string };

/**
 * Where the addon may be, in the order tried: $SOFTAC_ADDON alone when set; else the
 * prebuild for this platform, then a local build (build/Release/softac.node).
 */
function places(): Place[] {
  if (process.env.SOFTAC_ADDON) {
    const file = resolve(process.env.SOFTAC_ADDON);
    return [existsSync(file) ? { origin: 'SOFTAC_ADDON', file } : { origin: 'SOFTAC_ADDON', why: `no file at ${file}` }];
  }
  const local = join(packageRoot, 'build', 'Release', 'softac.node');
  return [{ origin: 'prebuild', ...prebuild() }, existsSync(local) ? { origin: 'local build', file: local }
    : { origin: 'local build', why: 'no build/Release/softac.node (`npm run build:native` makes one)' }];
}

/**
 * Loads the first place that loads; the result keeps why each one before it was passed
 * over, for `softac info`.
 */
function load(): LoadResult {
  if (loaded) return loaded;
  const skipped: string[] = [];
  for (const place of places()) {
    if ('why' in place) {
      skipped.push(`${place.origin}: ${place.why}`);
      continue;
    }
    const { origin, file } = place;
    const r = tryRequire(file);
    if ('why' in r) {
      skipped.push(`${origin}: ${r.why}`);
      continue;
    }
    // The addon loaded but the environment asks for what it cannot do (SOFTAC_SIMD): that
    // is the user's error to see, not a reason to try another file.
    const envError = r.addon.info().envError;
    loaded = envError ? { addon: null, file, origin, skipped, error: envError } : { addon: r.addon, file, origin, skipped, error: null };
    return loaded;
  }
  // The WebAssembly backend is tried after these, before the TypeScript reference
  // (index.ts); its loader is its own file (wasm.ts), as this one is the addon's.
  loaded = { addon: null, file: null, origin: null, skipped, error: `no native addon (${skipped.join('; ')})` };
  return loaded;
}

/** Which addon file loaded (relative to the package when inside it) and from where, or null. */
export function nativeSource(): { file: string; origin: AddonOrigin } | null {
  const { file, origin } = load();
  return file && origin ? { file: shown(file), origin } : null;
}

/** Why each place tried before the loaded addon (or every place, when none loaded) was not used. */
export function nativeSkipped(): string[] {
  return load().skipped;
}

/** The raw addon (no TypeScript validation), or null: for boundary-misuse tests. */
export function rawAddon(): RawAddon | null {
  return load().addon;
}

/** Why the addon cannot be used, or null when it can. */
export function nativeLoadError(): string | null {
  return load().error;
}

/**
 * Ends the process with `code` from a native thread if it is still alive `ms` from now (the
 * backstop of the CLI's exit, src/cli/main.ts). False when the addon cannot be loaded.
 */
export function exitAfter(ms: number, code: number): boolean {
  check.exitAfter(ms, code);
  const { addon } = load();
  if (!addon) return false;
  addon.exitAfter(ms, code);
  return true;
}

let native: NativeKernels | null = null;

/** The native backend; throws an Error saying why when the addon cannot be loaded. */
export function loadNative(): NativeKernels {
  if (native) return native;
  const { addon, error } = load();
  if (!addon) throw new Error(`softac: the native backend is unavailable: ${error}`);
  native = wrap(addon);
  return native;
}

function wrap(n: RawAddon): NativeKernels {
  return {
    backend: 'native',
    info(): NativeKernelInfo {
      const i = n.info();
      return { backend: 'native', path: i.path, paths: i.paths, compiledPaths: i.compiledPaths, threads: i.threads };
    },
    setNumThreads(t) { check.setNumThreads(t); n.setNumThreads(t); },
    setSimdPath(path) { check.setSimdPath(path); n.setSimdPath(path); },
    fmaPeak() { return n.fmaPeak(); },
    gemm(ta, tb, m, nn, k, alpha, a, b, beta, c) {
      check.gemm(ta, tb, m, nn, k, alpha, a, b, beta, c);
      n.gemm(ta, tb, m, nn, k, alpha, a, b, beta, c);
    },
    linearForward(out, inp, w, bias, B, I, O, relu) {
      check.linearForward(out, inp, w, bias, B, I, O, relu);
      n.linearForward(out, inp, w, bias, B, I, O, relu);
    },
    linearBackward(dinp, dw, db, dout, inp, w, B, I, O) {
      check.linearBackward(dinp, dw, db, dout, inp, w, B, I, O);
      n.linearBackward(dinp, dw, db, dout, inp, w, B, I, O);
    },
    linearInputGrad(dinp, dout, w, mask, B, I, O) {
      check.linearInputGrad(dinp, dout, w, mask, B, I, O);
      n.linearInputGrad(dinp, dout, w, mask, B, I, O);
    },
    tanh(out, x) { check.tanh(out, x); n.tanh(out, x); },
    tanhBackward(dx, dy, y) { check.tanhBackward(dx, dy, y); n.tanhBackward(dx, dy, y); },
    exp(out, x) { check.exp(out, x); n.exp(out, x); },
    log(out, x) { check.log(out, x); n.log(out, x); },
    softplus(out, x) { check.softplus(out, x); n.softplus(out, x); },
    relu(out, x) { check.relu(out, x); n.relu(out, x); },
    reluBackward(dx, dy, y) { check.reluBackward(dx, dy, y); n.reluBackward(dx, dy, y); },
    reluGrad(out, dy, y) { check.reluGrad(out, dy, y); n.reluGrad(out, dy, y); },
    clamp(out, x, lo, hi) { check.clamp(out, x, lo, hi); n.clamp(out, x, lo, hi); },
    clampBackward(dx, dy, x, lo, hi) { check.clampBackward(dx, dy, x, lo, hi); n.clampBackward(dx, dy, x, lo, hi); },
    minimum(out, a, b) { check.minimum(out, a, b); n.minimum(out, a, b); },
    minimumBackward(da, db, dy, a, b) { check.minimumBackward(da, db, dy, a, b); n.minimumBackward(da, db, dy, a, b); },
    add(out, a, b) { check.add(out, a, b); n.add(out, a, b); },
    mul(out, a, b) { check.mul(out, a, b); n.mul(out, a, b); },
    axpy(y, alpha, x) { check.axpy(y, alpha, x); n.axpy(y, alpha, x); },
    scale(out, x, alpha) { check.scale(out, x, alpha); n.scale(out, x, alpha); },
    sum(x) { check.sum(x); return n.sum(x); },
    mean(x) { check.mean(x); return n.mean(x); },
    sumRows(out, x, rows, cols) { check.sumRows(out, x, rows, cols); n.sumRows(out, x, rows, cols); },
    sumColsAcc(out, x, rows, cols) { check.sumColsAcc(out, x, rows, cols); n.sumColsAcc(out, x, rows, cols); },
    squashForward(a, logp, mu, ls, eps, sc, sh, rows, A) {
      check.squashForward(a, logp, mu, ls, eps, sc, sh, rows, A);
      n.squashForward(a, logp, mu, ls, eps, sc, sh, rows, A);
    },
    squashBackward(dmu, dls, da, dlogp, mu, ls, eps, sc, rows, A) {
      check.squashBackward(dmu, dls, da, dlogp, mu, ls, eps, sc, rows, A);
      n.squashBackward(dmu, dls, da, dlogp, mu, ls, eps, sc, rows, A);
    },
    adam(p, g, m, v, t, lr, b1, b2, eps, wd) {
      check.adam(p, g, m, v, t, lr, b1, b2, eps, wd);
      n.adam(p, g, m, v, t, lr, b1, b2, eps, wd);
    },
    polyak(targ, p, rho) { check.polyak(targ, p, rho); n.polyak(targ, p, rho); },
    fill(x, value) { check.fill(x, value); n.fill(x, value); },
    createPlan(calls) { return createPlan(n, calls); },
  };
}

let opcodes: Map<string, number> | null = null;

/**
 * Encodes the calls for planCreate: each as its opcode, its argument count and its
 * arguments, a buffer as its index in the plan's buffer list (-1 for null), a flag as 0/1.
 * The addon validates every call before the plan exists.
 */
function createPlan(n: RawAddon, calls: readonly PlanCall[]): KernelPlan {
  opcodes ??= new Map(n.planOps().map((name, i) => [name, i]));
  const buffers: Float32Array[] = [], index = new Map<Float32Array, number>();
  const code: number[] = [];
  calls.forEach(({ op, args }, i) => {
    const opcode = opcodes!.get(op);
    if (opcode === undefined) throw new RangeError(`createPlan: call ${i} is '${op}', which a plan cannot hold`);
    code.push(opcode, args.length);
    for (const a of args) {
      if (a instanceof Float32Array) {
        let at = index.get(a);
        if (at === undefined) {
          at = buffers.push(a) - 1;
          index.set(a, at);
        }
        code.push(at);
      } else if (a === null) code.push(-1);
      else if (typeof a === 'boolean') code.push(a ? 1 : 0);
      else code.push(a);
    }
  });
  const plan = n.planCreate(buffers, Float64Array.from(code));
  // The plan holds raw pointers into the buffers: it keeps them alive as long as itself.
  const kept = { buffers, run: () => n.planRun(plan), stats: () => n.planStats(plan) };
  return kept;
}
