/** Shared by the benchmarks: timing with tinybench, inputs, and the table/JSON row format. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { Bench } from 'tinybench';

import { referenceKernels, tryLoadWasm } from '../src/kernels/index.js';
import type { Kernels, NativeKernels, SimdPath } from '../src/kernels/index.js';

export interface BenchRow {
  kernel: string;
  variant?: string;
  m?: number;
  n?: number;
  k?: number;
  /** Free-form shape, when m/n/k do not describe it (an MLP's sizes, say). */
  shape?: string;
  path: SimdPath | 'wasm' | 'js' | 'Math.tanh';
  threads: number;
  gflops?: number;
  gelem_per_s?: number;
  steps_per_s?: number;
  peak_gflops?: number;
  peak_fraction?: number;
  /** The same work by direct kernel calls, for the tape-overhead rows. */
  direct_ms?: number;
  overhead_fraction?: number;
  median_ms: number;
}

/** One backend configuration to measure: the reference, a native path at a thread count, or WebAssembly. */
export interface Target { kernels: Kernels; path: SimdPath | 'wasm' | 'js'; threads: number; peak?: number }

/**
 * The reference, then WebAssembly when its module loads (one thread), then every runnable
 * native path with each thread count (peak = FMA peak x threads).
 */
export function targets(native: NativeKernels | null, threads: number[]): Target[] {
  const out: Target[] = [{ kernels: referenceKernels, path: 'js', threads: 1 }];
  const wasm = tryLoadWasm();
  if (wasm) out.push({ kernels: wasm, path: 'wasm', threads: 1, peak: wasm.fmaPeak() });
  if (!native) return out;
  for (const path of native.info().paths) {
    native.setSimdPath(path);
    const peak = native.fmaPeak();
    for (const t of threads) out.push({ kernels: native, path, threads: t, peak: peak * t });
  }
  return out;
}

/** Makes t's path and thread count the active ones (no-op for the reference). */
export function selectTarget(native: NativeKernels | null, t: Target): void {
  if (native && t.kernels === native) {
    native.setSimdPath(t.path as SimdPath);
    native.setNumThreads(t.threads);
  }
}

/** Runs body, then restores the native path and thread count it found (benchmarks switch them). */
export async function restoringSelection<T>(native: NativeKernels | null, body: () => Promise<T>): Promise<T> {
  const initial = native?.info();
  try {
    return await body();
  } finally {
    if (native && initial) {
      native.setSimdPath(initial.path as SimdPath);
      native.setNumThreads(initial.threads);
    }
  }
}

/**
 * The first Python that can import torch: $SOFTAC_PYTHON, python3 on the PATH, Debian's
 * /usr/bin/python3; null when none can (the PyTorch baselines are then skipped, said why).
 */
export function torchPython(): { python: string | null; tried: string[] } {
  const tried = [process.env.SOFTAC_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  const python = tried.find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) ?? null;
  return { python, tried };
}

/** Runs a PyTorch baseline script with some arguments and environment variables: its JSON lines, or why it failed. */
export type TorchRunner = (args: string[], env: Record<string, string>, timeoutMs: number) => unknown[] | string;

/**
 * A runner for bench/<name> under the first Python with torch (looked up once here, see
 * torchPython), or a string saying why the baseline cannot run at all.
 */
export function torchBaseline(name: string): TorchRunner | string {
  const { python, tried } = torchPython();
  if (!python) return `PyTorch baseline skipped: none of ${tried.join(', ')} can import torch (set SOFTAC_PYTHON)`;
  const script = fileURLToPath(new URL(`../../bench/${name}`, import.meta.url));
  return (args, env, timeoutMs) => {
    const r = spawnSync(python, [script, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...env } });
    if (r.error || r.status !== 0) return `PyTorch baseline failed: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`;
    return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
  };
}

/** Median latency in ms of fn, by tinybench. */
export async function medianMs(fn: () => void, timeMs: number): Promise<number> {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(50, timeMs), throws: true });
  bench.add('case', fn);
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') throw new Error(`benchmark case did not complete: ${r.state}`);
  return r.latency.p50;
}

/** n values uniform in [-scale, scale), from a small LCG (Numerical Recipes constants). */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 4294967296 - 0.5) * 2 * scale;
  }
  return a;
}

function shapeOf(r: BenchRow): string {
  if (r.shape) return r.shape;
  if (r.kernel === 'gemm') return `${r.variant} ${r.m}x${r.n}x${r.k}`;
  if (r.m !== undefined && r.n !== undefined) return `${r.m}x${r.n}`;
  if (r.n !== undefined) return `${r.n}`;
  return '';
}

/** A row of the human table; `tableHeader` gives the matching header lines. */
export function tableRow(r: BenchRow): string {
  const rate = r.gflops !== undefined ? `${r.gflops.toFixed(1)} GFLOPS`
    : r.gelem_per_s !== undefined ? `${r.gelem_per_s.toFixed(3)} Gelem/s`
    : `${r.steps_per_s!.toFixed(1)} steps/s`;
  const frac = r.peak_fraction ?? r.overhead_fraction;
  const note = frac !== undefined ? `${(100 * frac).toFixed(r.overhead_fraction !== undefined ? 1 : 0)}%` : '';
  const ms = r.median_ms ? r.median_ms.toFixed(4) : '';
  return `| ${r.kernel.padEnd(15)} | ${shapeOf(r).padEnd(16)} | ${r.path.padEnd(9)} | ${String(r.threads).padEnd(7)} | ${ms.padStart(10)} | ${rate.padStart(18)} | ${note.padStart(8)} |`;
}

/** `note` is the fraction of the FMA peak (GEMM) or the tape's overhead (autograd rows). */
export const tableHeader =
  '| kernel          | shape            | path      | threads |  median ms |               rate |     note |\n' +
  '|-----------------|------------------|-----------|---------|-----------:|-------------------:|---------:|';
