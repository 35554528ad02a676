/**
 * The kernel benchmark (`npm run bench`, `softac bench kernels [--json]`): GEMM at SAC's
 * shapes, tanh and the fused squashed Gaussian, on the TypeScript reference and on every
 * runnable SIMD path with 1 and 2 threads, beside a plain `Math.tanh` loop. GEMM is also
 * given as a fraction of the path's FMA peak, measured by a probe in the addon.
 */
import * as is from '../src/check/is.js';
import { tryLoadNative } from '../src/kernels/index.js';
import { type BenchRow, restoringSelection, medianMs, randomArray, selectTarget, type Target, targets } from './common.js';

export interface KernelBenchOptions {
  /** Time budget per measured case, in ms. */
  timeMs: number;
  /** Thread counts to try on the native paths. */
  threads: number[];
  /** Called with each finished row. */
  onRow(row: BenchRow): void;
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

export async function benchKernels(opts: KernelBenchOptions): Promise<BenchRow[]> {
  is.plainObject('benchKernels: options', opts);
  is.knownKeys('benchKernels', opts, ['timeMs', 'threads', 'onRow']);
  is.finite("benchKernels: option 'timeMs'", opts.timeMs, 0);
  is.func("benchKernels: option 'onRow'", opts.onRow);
  const native = tryLoadNative();
  return restoringSelection(native, async () => {
    const rows: BenchRow[] = [];
    const emit = (r: BenchRow) => { rows.push(r); opts.onRow(r); };
    const select = (t: Target) => selectTarget(native, t);
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

    return rows;
  });
}
