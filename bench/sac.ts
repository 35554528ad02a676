/**
 * The SAC benchmark (`softac bench sac`): full Spinning Up updates (Q step, policy step,
 * polyak; batch sampled from a replay buffer) per second, at batch 100 and 256, hidden
 * (256, 256), with Pendulum's dims (3, 1) and HalfCheetah's (17, 6), on the native backend
 * with each thread count, on the WebAssembly backend (one thread) and on the TypeScript backend; GFLOPS from the exact FLOP count
 * of bench/flops.ts and the fraction of the FMA peak the addon's probe measures. Also the
 * latency of act() on one observation and Pendulum's env steps per second. When python3
 * with torch is installed, the same update in PyTorch (bench/pytorch_sac.py) is measured in
 * the same run, as the baseline.
 */

import * as is from '../src/check/is.js';
import { Pendulum } from '../src/envs/index.js';
import type { Kernels, NativeKernels } from '../src/kernels/index.js';
import { referenceKernels, tryLoadNative, tryLoadWasm } from '../src/kernels/index.js';
import { Rng } from '../src/nn/index.js';
import { ReplayBuffer } from '../src/sac/buffer.js';
import { SAC } from '../src/sac/sac.js';
import { restoringSelection, torchBaseline } from './common.js';
import { sacUpdateFlops } from './flops.js';

export interface SacBenchRow {
  bench: 'sac_update';
  batch: number;
  obs_dim: number;
  act_dim: number;
  hidden: number[];
  backend: 'native' | 'wasm' | 'js' | 'pytorch';
  path: string;
  threads: number;
  updates_per_s: number;
  gflops: number;
  peak_fraction: number | null;
}

export interface ActBenchRow {
  bench: 'act';
  backend: 'native' | 'wasm' | 'js';
  path: string;
  deterministic: boolean;
  latency_us: number;
}

/** One n x n x n product on one thread: the machine's practical GEMM limit beside softac's. */
export interface GemmBenchRow {
  bench: 'gemm';
  layout: 'NN' | 'NT' | 'TN';
  m: number;
  n: number;
  k: number;
  backend: 'native' | 'wasm' | 'pytorch';
  path: string;
  threads: number;
  gflops: number;
  peak_fraction: number | null;
}

export interface EnvBenchRow {
  bench: 'env_steps';
  env: string;
  steps_per_s: number;
}

export interface SacBenchOptions {
  /** Seconds to measure each native row (the TypeScript rows take at least 3 updates). */
  seconds: number;
  threads: number[];
  batches: number[];
  dims: [number, number][];
  js: boolean;
  pytorch: boolean;
  /** act() calls per latency sample (default 2000; tests use a few). */
  actCalls?: number;
  onPeak(peakGflops: number, path: string): void;
  onRow(row: SacBenchRow | ActBenchRow | EnvBenchRow | GemmBenchRow): void;
  onNote(note: string): void;
}

const HIDDEN = [256, 256];

function makeAgent(k: Kernels, batch: number, obsDim: number, actDim: number) {
  const bounds = { low: new Array<number>(actDim).fill(-1), high: new Array<number>(actDim).fill(1) };
  const sac = new SAC(k, obsDim, bounds, { hidden: HIDDEN, batchSize: batch }, 0);
  const buf = new ReplayBuffer(obsDim, actDim, 10_000);
  const rng = new Rng(1);
  const o = new Float32Array(obsDim), a = new Float32Array(actDim), o2 = new Float32Array(obsDim);
  for (let i = 0; i < 10_000; i++) {
    for (let j = 0; j < obsDim; j++) { o[j] = rng.normal(); o2[j] = rng.normal(); }
    for (let j = 0; j < actDim; j++) a[j] = rng.uniformIn(-1, 1);
    buf.store(o, a, rng.normal(), o2, rng.uniform() < 0.01);
  }
  return { sac, buf, rng };
}

/** Calls of run per second, the best of `rounds` timed rounds of roundMs and at least minCalls each (a shared machine drifts). */
function bestCallsPerSecond(run: () => void, rounds: number, roundMs: number, minCalls = 1): number {
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    let done = 0;
    do { run(); done++; } while (done < minCalls || performance.now() - start < roundMs);
    best = Math.max(best, done / ((performance.now() - start) / 1000));
  }
  return best;
}

/** Updates per second: a warm-up, then the best of 3 timed rounds. */
function updatesPerSecond(k: Kernels, batch: number, obsDim: number, actDim: number, seconds: number, minUpdates: number): number {
  const { sac, buf, rng } = makeAgent(k, batch, obsDim, actDim);
  const step = () => sac.update(buf.sampleBatch(batch, rng));
  const warm = performance.now();
  let n = 0;
  do { step(); n++; } while (performance.now() - warm < 200 * seconds && n < 50);
  return bestCallsPerSecond(step, 3, (1000 * seconds) / 3, minUpdates);
}

function actLatencyUs(k: Kernels, deterministic: boolean, n: number): number {
  const { sac } = makeAgent(k, 1, 3, 1);
  const obs = Float32Array.of(0.3, -0.9, 0.5);
  for (let i = 0; i < n; i++) sac.act(obs, deterministic);
  const samples: number[] = [];
  for (let r = 0; r < 7; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) sac.act(obs, deterministic);
    samples.push(((performance.now() - start) * 1000) / n);
  }
  return samples.sort((x, y) => x - y)[3]!;
}

function envStepsPerSecond(): number {
  const env = new Pendulum();
  env.reset(0);
  const a = Float32Array.of(0.5);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < 300) {
    for (let i = 0; i < 1000; i++) if (env.step(a).truncated) env.reset();
    n += 1000;
  }
  return n / ((performance.now() - start) / 1000);
}

/** The hidden layers' product (256 x 256 x 256) on one thread, best of 5 rounds. */
const GEMM_N = 256;

function nativeGemmRows(native: Kernels, path: string, peak: number, seconds: number, backend: 'native' | 'wasm' = 'native'): GemmBenchRow[] {
  const rng = new Rng(3);
  const a = Float32Array.from({ length: GEMM_N * GEMM_N }, () => rng.uniformIn(-0.5, 0.5));
  const b = Float32Array.from({ length: GEMM_N * GEMM_N }, () => rng.uniformIn(-0.5, 0.5));
  const c = new Float32Array(GEMM_N * GEMM_N);
  native.setNumThreads(1);
  return (['NN', 'NT', 'TN'] as const).map((layout) => {
    const run = () => native.gemm(layout[0] === 'T', layout[1] === 'T', GEMM_N, GEMM_N, GEMM_N, 1, a, b, 0, c);
    for (let i = 0; i < 50; i++) run();
    const best = (bestCallsPerSecond(run, 5, (1000 * Math.min(seconds, 2)) / 5) * 2 * GEMM_N ** 3) / 1e9;
    return { bench: 'gemm', layout, m: GEMM_N, n: GEMM_N, k: GEMM_N, backend, path, threads: 1, gflops: best, peak_fraction: best / peak };
  });
}

/** PyTorch's update in the same run, through bench/pytorch_sac.py; null when python3 has no torch. */
function pytorchRows(o: SacBenchOptions): Array<SacBenchRow | GemmBenchRow> | string {
  const run = torchBaseline('pytorch_sac.py');
  if (typeof run === 'string') return run;
  const rows: Array<SacBenchRow | GemmBenchRow> = [];
  // One process per thread count: OpenMP and the BLAS read their thread counts at start.
  // torch gets t threads; a BLAS of its own threads (Debian's torch calls the system BLAS,
  // OpenBLAS here) is kept at one, the fastest setting measured on this machine: OpenBLAS's
  // threads at these sizes took torch from 77 to 27 updates/s at batch 256. MKL shares
  // torch's threads, so it gets t.
  for (const t of o.threads) {
    const args = ['--seconds', String(o.seconds), '--threads', String(t), '--batches', o.batches.join(','),
      '--dims', o.dims.map(([d, a]) => `${d}x${a}`).join(','), ...(t === 1 ? ['--gemm', String(GEMM_N)] : [])];
    const out = run(args, { OMP_NUM_THREADS: String(t), OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: String(t) }, 1_800_000);
    if (typeof out === 'string') return out;
    rows.push(...(out as Array<SacBenchRow | GemmBenchRow>));
  }
  return rows;
}

export async function benchSac(o: SacBenchOptions): Promise<void> {
  is.plainObject('benchSac: options', o);
  is.knownKeys('benchSac', o, ['seconds', 'threads', 'batches', 'dims', 'js', 'pytorch', 'actCalls', 'onPeak', 'onRow', 'onNote']);
  is.finite("benchSac: option 'seconds'", o.seconds, 0);
  for (const f of ['onPeak', 'onRow', 'onNote'] as const) is.func(`benchSac: option '${f}'`, o[f]);
  const native = tryLoadNative();
  await restoringSelection(native as NativeKernels | null, async () => {
    let peak = 0, path = 'js';
    if (native) {
      path = native.info().path;
      peak = native.fmaPeak();
      o.onPeak(peak, path);
    } else {
      o.onNote('native addon unavailable: TypeScript rows only');
    }
    const torchAll = o.pytorch ? pytorchRows(o) : 'PyTorch baseline not requested';
    if (typeof torchAll === 'string') o.onNote(torchAll);
    // The GEMM rows first: softac's product and, in the same run, PyTorch's BLAS on it.
    if (native) for (const r of nativeGemmRows(native, path, peak, o.seconds)) o.onRow(r);
    // The WebAssembly backend's rows beside the native ones, in the same run (its peak is its own).
    const wasm = tryLoadWasm();
    const wasmPeak = wasm ? wasm.fmaPeak() : 0;
    if (wasm) for (const r of nativeGemmRows(wasm, 'wasm', wasmPeak, o.seconds, 'wasm')) o.onRow(r);
    const torch = typeof torchAll === 'string' ? torchAll : torchAll.filter((r): r is SacBenchRow => r.bench === 'sac_update');
    if (typeof torchAll !== 'string') {
      for (const r of torchAll) if (r.bench === 'gemm') o.onRow({ ...r, peak_fraction: peak ? r.gflops / peak : null });
    }
    for (const batch of o.batches) {
      for (const [obsDim, actDim] of o.dims) {
        const flops = sacUpdateFlops({ batch, obsDim, actDim, hidden: HIDDEN }).total;
        const base = { bench: 'sac_update' as const, batch, obs_dim: obsDim, act_dim: actDim, hidden: HIDDEN };
        if (typeof torch !== 'string') {
          for (const r of torch.filter((t) => t.batch === batch && t.obs_dim === obsDim && t.act_dim === actDim)) {
            o.onRow({ ...r, gflops: (r.updates_per_s * flops) / 1e9, peak_fraction: peak ? (r.updates_per_s * flops) / 1e9 / (peak * r.threads) : null });
          }
        }
        if (native) {
          for (const t of o.threads) {
            native.setNumThreads(t);
            const ups = updatesPerSecond(native, batch, obsDim, actDim, o.seconds, 10);
            const gflops = (ups * flops) / 1e9;
            o.onRow({ ...base, backend: 'native', path, threads: t, updates_per_s: ups, gflops, peak_fraction: gflops / (peak * t) });
          }
        }
        if (wasm) {
          const ups = updatesPerSecond(wasm, batch, obsDim, actDim, o.seconds, 10);
          const gflops = (ups * flops) / 1e9;
          o.onRow({ ...base, backend: 'wasm', path: 'wasm', threads: 1, updates_per_s: ups, gflops, peak_fraction: gflops / wasmPeak });
        }
        if (o.js) {
          const ups = updatesPerSecond(referenceKernels, batch, obsDim, actDim, Math.min(o.seconds, 1), 3);
          o.onRow({ ...base, backend: 'js', path: 'js', threads: 1, updates_per_s: ups, gflops: (ups * flops) / 1e9, peak_fraction: null });
        }
      }
    }
    if (native) {
      native.setNumThreads(1);
      for (const det of [true, false]) o.onRow({ bench: 'act', backend: 'native', path, deterministic: det, latency_us: actLatencyUs(native, det, o.actCalls ?? 2000) });
    }
    if (wasm) for (const det of [true, false]) o.onRow({ bench: 'act', backend: 'wasm', path: 'wasm', deterministic: det, latency_us: actLatencyUs(wasm, det, o.actCalls ?? 2000) });
    for (const det of [true, false]) o.onRow({ bench: 'act', backend: 'js', path: 'js', deterministic: det, latency_us: actLatencyUs(referenceKernels, det, o.actCalls ?? 2000) });
    o.onRow({ bench: 'env_steps', env: 'Pendulum-v1', steps_per_s: envStepsPerSecond() });
  });
}

const SAC_HEADER = '| batch | obs x act | backend | path           | threads | updates/s |  GFLOPS | % of peak |\n|------:|----------:|---------|----------------|--------:|----------:|--------:|----------:|';

/**
 * The text of benchSac's rows, for a terminal or a README: the update rows as one table
 * (its header before the first), the GEMM, act() and env rows as sentences.
 */
export function sacRowPrinter(): (r: SacBenchRow | ActBenchRow | EnvBenchRow | GemmBenchRow) => string {
  let header = false;
  return (r) => {
    if (r.bench === 'sac_update') {
      const pct = r.peak_fraction === null ? '' : `${(100 * r.peak_fraction).toFixed(0)}%`;
      const row = `| ${String(r.batch).padStart(5)} | ${`${r.obs_dim}x${r.act_dim}`.padStart(9)} | ${r.backend.padEnd(7)} | ${r.path.padEnd(14)} | ${String(r.threads).padStart(7)} | ${r.updates_per_s.toFixed(1).padStart(9)} | ${r.gflops.toFixed(1).padStart(7)} | ${pct.padStart(9)} |`;
      const first = !header;
      header = true;
      return first ? `${SAC_HEADER}\n${row}` : row;
    }
    if (r.bench === 'gemm') {
      const pct = r.peak_fraction === null ? '' : ` (${(100 * r.peak_fraction).toFixed(0)}% of peak)`;
      return `GEMM ${r.layout} ${r.m}x${r.n}x${r.k}, ${r.threads} thread, ${r.backend} ${r.path}: ${r.gflops.toFixed(1)} GFLOPS${pct}`;
    }
    if (r.bench === 'act') return `act() on one observation, ${r.deterministic ? 'deterministic' : 'sampled'}, ${r.backend} ${r.path}: ${r.latency_us.toFixed(2)} us`;
    return `${r.env} env steps: ${(r.steps_per_s / 1e6).toFixed(2)} million per second`;
  };
}
