/**
 * The WebAssembly backend's memory design, measured (`node dist/bench/wasm-memory.js`): its
 * kernels take the caller's Float32Arrays and copy them into the module's memory and back
 * (src/kernels/wasm.ts). The alternative keeps parameters, gradients and activations in that
 * memory and calls the exports on pointers, with no copy. Measured here in one run:
 * - GEMM 256^3 both ways: through the backend (A, B copied in, C out) and on the module's
 *   raw exports with the three matrices already in its memory; and, timed the same way in
 *   the same run for the ratios, on the TypeScript reference and on the native addon's
 *   active path (one thread) when it loads;
 * - a full SAC update (batch 256, hidden 256x256, HalfCheetah's 17x6) through the backend,
 *   the bytes it copies per update, and what copying those bytes costs at the copy speed
 *   measured in the same run: the most the alternative could save.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { loadWasm, referenceKernels, tryLoadNative } from '../src/kernels/index.js';
import { Rng } from '../src/nn/index.js';
import { ReplayBuffer } from '../src/sac/buffer.js';
import { SAC } from '../src/sac/sac.js';

export interface WasmMemoryRow { what: string; value: number; unit: string }

/** Calls of run per second: the best of 5 rounds of roundMs, after a warm-up (V8 tiers wasm code up as it runs). */
function best(run: () => void, roundMs: number): number {
  for (let i = 0, start = performance.now(); i < 50 && performance.now() - start < roundMs; i++) run();
  let top = 0;
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    let n = 0;
    do { run(); n++; } while (performance.now() - start < roundMs);
    top = Math.max(top, n / ((performance.now() - start) / 1000));
  }
  return top;
}

interface RawExports {
  memory: { buffer: ArrayBuffer };
  softac_alloc(bytes: number): number;
  softac_gemm(ta: number, tb: number, m: number, n: number, k: number, alpha: number, a: number, b: number, beta: number, c: number): void;
}

export function benchWasmMemory(roundMs = 400): WasmMemoryRow[] {
  const rows: WasmMemoryRow[] = [];
  const k = loadWasm();
  const N = 256, flops = 2 * N ** 3;
  const rng = new Rng(3);
  const a = Float32Array.from({ length: N * N }, () => rng.uniformIn(-0.5, 0.5));
  const b = Float32Array.from({ length: N * N }, () => rng.uniformIn(-0.5, 0.5));
  const c = new Float32Array(N * N);
  const copied = best(() => k.gemm(false, false, N, N, N, 1, a, b, 0, c), roundMs);
  rows.push({ what: 'GEMM 256^3, copies in and out (the backend)', value: (copied * flops) / 1e9, unit: 'GFLOPS' });

  const js = best(() => referenceKernels.gemm(false, false, N, N, N, 1, a, b, 0, c), roundMs);
  rows.push({ what: 'GEMM 256^3, the TypeScript reference', value: (js * flops) / 1e9, unit: 'GFLOPS' });
  const native = tryLoadNative();
  if (native) {
    const threads = native.info().threads;
    native.setNumThreads(1);
    const n = best(() => native.gemm(false, false, N, N, N, 1, a, b, 0, c), roundMs);
    native.setNumThreads(threads);
    rows.push({ what: `GEMM 256^3, native ${native.info().path}, 1 thread`, value: (n * flops) / 1e9, unit: 'GFLOPS' });
  }

  // The same module on pointers into its own memory: a separate instance, for the raw exports.
  const WA = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: unknown } } }).WebAssembly;
  const ex = new WA.Instance(new WA.Module(readFileSync(new URL('../../wasm/softac.wasm', import.meta.url))), {}).exports as RawExports;
  const pa = ex.softac_alloc(N * N * 4), pb = ex.softac_alloc(N * N * 4), pc = ex.softac_alloc(N * N * 4);
  new Float32Array(ex.memory.buffer, pa, N * N).set(a);
  new Float32Array(ex.memory.buffer, pb, N * N).set(b);
  const inPlace = best(() => ex.softac_gemm(0, 0, N, N, N, 1, pa, pb, 0, pc), roundMs);
  rows.push({ what: 'GEMM 256^3, operands in the module\'s memory (raw exports)', value: (inPlace * flops) / 1e9, unit: 'GFLOPS' });

  // The SAC update through the backend, and the bytes its copies move.
  const [obsDim, actDim, batch] = [17, 6, 256];
  const sac = new SAC(k, obsDim, { low: new Array<number>(actDim).fill(-1), high: new Array<number>(actDim).fill(1) }, { hidden: [256, 256], batchSize: batch }, 0);
  const buf = new ReplayBuffer(obsDim, actDim, 10_000);
  const o = new Float32Array(obsDim), act = new Float32Array(actDim), o2 = new Float32Array(obsDim);
  for (let i = 0; i < 10_000; i++) {
    for (let j = 0; j < obsDim; j++) { o[j] = rng.normal(); o2[j] = rng.normal(); }
    for (let j = 0; j < actDim; j++) act[j] = rng.uniformIn(-1, 1);
    buf.store(o, act, rng.normal(), o2, rng.uniform() < 0.01);
  }
  const step = () => sac.update(buf.sampleBatch(batch, rng));
  for (let i = 0; i < 5; i++) step();
  const before = k.bytesCopied();
  for (let i = 0; i < 5; i++) step();
  const bytesPerUpdate = (k.bytesCopied() - before) / 5;
  const ups = best(step, roundMs * 3);
  rows.push({ what: 'SAC update (batch 256, 256x256, 17x6), copies in and out', value: 1000 / ups, unit: 'ms' });
  rows.push({ what: 'bytes copied per update', value: bytesPerUpdate / 2 ** 20, unit: 'MiB' });

  // Copy speed over as many bytes as an update copies, in 256 KiB arrays (a 256x256
  // activation), each into the module's memory and back: the arrays are out of cache, as in
  // an update, so this is the slow end of the copy speed.
  const heap = new Float32Array(ex.memory.buffer, pc, N * N);
  const arrays = Array.from({ length: Math.max(1, Math.round(bytesPerUpdate / 2 / (N * N * 4))) }, () => new Float32Array(N * N));
  const roundsPerSecond = best(() => { for (const x of arrays) { heap.set(x); x.set(heap); } }, roundMs);
  const bytesPerSecond = roundsPerSecond * arrays.length * 2 * N * N * 4;
  rows.push({ what: 'copy speed, 256 KiB arrays out of cache, in and out', value: bytesPerSecond / 1e9, unit: 'GB/s' });
  const copyMs = (bytesPerUpdate / bytesPerSecond) * 1000;
  rows.push({ what: 'of which copying (bytes / copy speed)', value: copyMs, unit: 'ms' });
  rows.push({ what: 'share of the update spent copying', value: (100 * copyMs * ups) / 1000, unit: '%' });
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log('| measured | value | unit |\n|---|---:|---|');
  for (const r of benchWasmMemory()) console.log(`| ${r.what} | ${r.value.toFixed(r.value < 10 ? 2 : 1)} | ${r.unit} |`);
}
