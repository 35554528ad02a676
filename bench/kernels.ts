/**
 * The kernel benchmark (`npm run bench`, `softac bench kernels [--json]`): GEMM at SAC's
 * shapes, tanh and the fused squashed Gaussian, on the TypeScript reference and on every
 * runnable SIMD path with 1 and 2 threads, beside a plain `Math.tanh` loop. GEMM is also
 * given as a fraction of the path's FMA peak, measured by a probe in the addon.
 */
import { Bench } from 'tinybench';

import { referenceKernels, tryLoadNative } from '../src/kernels/index.js';
import type { Kernels, NativeKernels, SimdPath } from '../src/kernels/index.js';

export interface KernelBenchOptions {
  /** Time budget per measured case, in ms. */
  timeMs: number;
  /** Thread counts to try on the native paths. */
  threads: number[];
  /** Called with each finished row. */
  onRow(row: BenchRow): void;
}

export interface BenchRow {
  kernel: string;
  variant?: string;
  m?: number;
  n?: number;
  k?: number;
  path: SimdPath | 'js' | 'Math.tanh';
  threads: number;
  gflops?: number;
  gelem_per_s?: number;
  peak_gflops?: number;
  peak_fraction?: number;
  median_ms: number;
}

/** Median latency in ms of fn, by tinybench. */
async function medianMs(fn: () => void, timeMs: number): Promise<number> {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(50, timeMs), throws: true });
  bench.add('case', fn);
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') throw new Error(`benchmark case did not complete: ${r.state}`);
  return r.latency.p50;
}

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  // A small LCG (Numerical Recipes constants) is enough for benchmark inputs.
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 4294967296 - 0.5) * 2 * scale;
  }
  return a;
}

interface GemmCase { variant: 'NN' | 'NT' | 'TN'; m: number; n: number; k: number }

/** The shapes of one SAC update with hidden 256 and batch 256 (see the README). */
export const gemmCases: GemmCase[] = [
  { variant: 'NN', m: 256, n: 256, k: 256 },
  { variant: 'NT', m: 256, n: 256, k: 256 },
  { variant: 'TN', m: 256, n: 256, k: 256 },
  { variant: 'NT', m: 256, n: 4, k: 256 },
  { variant: 'NN', m: 256, n: 256, k: 1 },
];

const ELEMS = 1 << 20;
const SQUASH_ROWS = 1 << 16;
const SQUASH_A = 4;

interface Target { kernels: Kernels; path: SimdPath | 'js'; threads: number; peak?: number }

function targets(native: NativeKernels | null, threads: number[]): Target[] {
  const out: Target[] = [{ kernels: referenceKernels, path: 'js', threads: 1 }];
  if (!native) return out;
  for (const path of native.info().paths) {
    native.setSimdPath(path);
    const peak = native.fmaPeak();
    for (const t of threads) out.push({ kernels: native, path, threads: t, peak: peak * t });
  }
  return out;
}

export async function benchKernels(opts: KernelBenchOptions): Promise<BenchRow[]> {
  const native = tryLoadNative();
  const initial = native?.info();
  const rows: BenchRow[] = [];
  const emit = (r: BenchRow) => { rows.push(r); opts.onRow(r); };
  const select = (t: Target) => {
    if (t.kernels === native) {
      native.setSimdPath(t.path as SimdPath);
      native.setNumThreads(t.threads);
    }
  };
  const all = targets(native, opts.threads);
  for (const t of all) {
    if (t.peak !== undefined && t.threads === 1)
      emit({ kernel: 'fma_peak', path: t.path, threads: 1, gflops: t.peak, median_ms: 0 });
  }

  for (const g of gemmCases) {
    const transA = g.variant === 'TN', transB = g.variant === 'NT';
    const a = randomArray(g.m * g.k, 1), b = randomArray(g.k * g.n, 2), c = new Float32Array(g.m * g.n);
    const flops = 2 * g.m * g.n * g.k;
    for (const t of all) {
      select(t);
      const ms = await medianMs(() => t.kernels.gemm(transA, transB, g.m, g.n, g.k, 1, a, b, 0, c), opts.timeMs);
      const gflops = flops / (ms * 1e6);
      emit({ kernel: 'gemm', variant: g.variant, m: g.m, n: g.n, k: g.k, path: t.path, threads: t.threads,
        gflops, ...(t.peak ? { peak_gflops: t.peak, peak_fraction: gflops / t.peak } : {}), median_ms: ms });
    }
  }

  const x = randomArray(ELEMS, 3, 4), y = new Float32Array(ELEMS);
  const mathTanhMs = await medianMs(() => { for (let i = 0; i < ELEMS; i++) y[i] = Math.tanh(x[i]!); }, opts.timeMs);
  emit({ kernel: 'tanh', n: ELEMS, path: 'Math.tanh', threads: 1, gelem_per_s: ELEMS / (mathTanhMs * 1e6), median_ms: mathTanhMs });
  for (const t of all) {
    select(t);
    const ms = await medianMs(() => t.kernels.tanh(y, x), opts.timeMs);
    emit({ kernel: 'tanh', n: ELEMS, path: t.path, threads: t.threads, gelem_per_s: ELEMS / (ms * 1e6), median_ms: ms });
  }

  const n = SQUASH_ROWS * SQUASH_A;
  const mu = randomArray(n, 4), logStd = randomArray(n, 5, 2), eps = randomArray(n, 6, 2);
  const scale = new Float32Array(SQUASH_A).fill(2), shift = new Float32Array(SQUASH_A);
  const act = new Float32Array(n), logp = new Float32Array(SQUASH_ROWS);
  const da = randomArray(n, 7), dlogp = randomArray(SQUASH_ROWS, 8);
  const dmu = new Float32Array(n), dls = new Float32Array(n);
  for (const t of all) {
    select(t);
    const fwd = await medianMs(() => t.kernels.squashForward(act, logp, mu, logStd, eps, scale, shift, SQUASH_ROWS, SQUASH_A), opts.timeMs);
    emit({ kernel: 'squash_forward', m: SQUASH_ROWS, n: SQUASH_A, path: t.path, threads: t.threads, gelem_per_s: n / (fwd * 1e6), median_ms: fwd });
    const bwd = await medianMs(() => t.kernels.squashBackward(dmu, dls, da, dlogp, mu, logStd, eps, scale, SQUASH_ROWS, SQUASH_A), opts.timeMs);
    emit({ kernel: 'squash_backward', m: SQUASH_ROWS, n: SQUASH_A, path: t.path, threads: t.threads, gelem_per_s: n / (bwd * 1e6), median_ms: bwd });
  }

  if (native && initial) {
    native.setSimdPath(initial.path as SimdPath);
    native.setNumThreads(initial.threads);
  }
  return rows;
}

function shapeOf(r: BenchRow): string {
  if (r.kernel === 'gemm') return `${r.variant} ${r.m}x${r.n}x${r.k}`;
  if (r.kernel.startsWith('squash')) return `${r.m}x${r.n}`;
  if (r.n !== undefined) return `${r.n}`;
  return '';
}

/** A row of the human table; `tableHeader` gives the matching header lines. */
export function tableRow(r: BenchRow): string {
  const rate = r.gflops !== undefined ? `${r.gflops.toFixed(1)} GFLOPS` : `${r.gelem_per_s!.toFixed(3)} Gelem/s`;
  const peak = r.peak_fraction !== undefined ? `${(100 * r.peak_fraction).toFixed(0)}%` : '';
  const ms = r.median_ms ? r.median_ms.toFixed(4) : '';
  return `| ${r.kernel.padEnd(15)} | ${shapeOf(r).padEnd(16)} | ${r.path.padEnd(9)} | ${String(r.threads).padEnd(7)} | ${ms.padStart(10)} | ${rate.padStart(18)} | ${peak.padStart(7)} |`;
}

export const tableHeader =
  '| kernel          | shape            | path      | threads |  median ms |               rate | of peak |\n' +
  '|-----------------|------------------|-----------|---------|-----------:|-------------------:|--------:|';
