/**
 * The backends every kernel test runs on (tfjs style: one suite, every backend): the
 * TypeScript reference, then the native addon on each SIMD path this CPU can run, with 1
 * and 2 threads, then the WebAssembly module (one thread: its setNumThreads only records).
 * SOFTAC_BACKEND=native makes a missing addon an error and SOFTAC_BACKEND=wasm a missing
 * wasm/softac.wasm (testing the reference and the module only), so CI cannot pass by
 * silently testing the reference alone; SOFTAC_BACKEND=js tests the reference only.
 */
import { loadNative, loadWasm, referenceKernels, tryLoadNative, tryLoadWasm } from '../../src/kernels/index.js';
import type { Kernels } from '../../src/kernels/index.js';

export interface KernelBackend {
  /** 'js', 'native/<path>/t<threads>' or 'wasm'. */
  label: string;
  kernels: Kernels;
  threads: number;
  /** Selects this backend's path and thread count; call before each use (state is global). */
  setup(): void;
}

let cached: KernelBackend[] | null = null;

export function kernelBackends(): KernelBackend[] {
  if (cached) return cached;
  const list: KernelBackend[] = [
    { label: 'js', kernels: referenceKernels, threads: 1, setup: () => referenceKernels.setNumThreads(1) },
  ];
  const mode = process.env.SOFTAC_BACKEND;
  const native = mode === 'js' || mode === 'wasm' ? null : mode === 'native' ? loadNative() : tryLoadNative();
  if (native) {
    const paths = native.info().paths;
    if (paths.length === 0) throw new Error('the native addon reports no runnable SIMD path');
    for (const path of paths) {
      for (const threads of [1, 2]) {
        list.push({
          label: `native/${path}/t${threads}`,
          kernels: native,
          threads,
          setup() {
            native.setSimdPath(path);
            native.setNumThreads(threads);
          },
        });
      }
    }
  }
  const wasm = mode === 'js' ? null : mode === 'wasm' ? loadWasm() : tryLoadWasm();
  if (wasm) list.push({ label: 'wasm', kernels: wasm, threads: 1, setup: () => wasm.setNumThreads(1) });
  cached = list;
  return list;
}
