/**
 * Choosing a kernel backend. `SOFTAC_BACKEND=js|native|wasm|auto` (default auto) picks one
 * for the process. auto tries, in order, the native addon (its prebuild, then a local
 * build: native.ts), then WebAssembly (wasm.ts), then the TypeScript reference, with a
 * one-line warning when it has to fall back. Forcing native or wasm where it cannot load
 * is an error that says why.
 */
import { loadNative, nativeLoadError } from './native.js';
import { referenceKernels } from './reference.js';
import type { Kernels } from './types.js';
import { loadWasm, wasmLoadError } from './wasm.js';

export type { Backend, KernelInfo, KernelPlan, Kernels, PlanArg, PlanCall, PlanStats, SimdPath } from './types.js';
export { LOG_STD_MAX, LOG_STD_MIN } from './types.js';
export type { AddonOrigin, NativeKernels, RawAddon } from './native.js';
export { exitAfter, loadNative, nativeLoadError, nativeSkipped, nativeSource, rawAddon } from './native.js';
export type { WasmKernels } from './wasm.js';
export { loadWasm, wasmKernels, wasmLoadError, wasmSource } from './wasm.js';
export { referenceKernels } from './reference.js';

export type BackendChoice = 'js' | 'native' | 'wasm' | 'auto';
/** The values SOFTAC_BACKEND and every --backend flag accept. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['js', 'native', 'wasm', 'auto'];

/** The native backend, or null when the addon is not available. */
export function tryLoadNative() {
  return nativeLoadError() === null ? loadNative() : null;
}

/** The WebAssembly backend, or null when wasm/softac.wasm is not available. */
export function tryLoadWasm() {
  return wasmLoadError() === null ? loadWasm() : null;
}

let warned = false;

export function getKernels(backend: BackendChoice = backendFromEnv()): Kernels {
  if (backend === 'js') return referenceKernels;
  if (backend === 'native') return loadNative();
  if (backend === 'wasm') return loadWasm();
  const native = tryLoadNative();
  if (native) return native;
  const wasm = tryLoadWasm();
  if (wasm) return wasm;
  if (!warned) {
    warned = true;
    console.warn(`softac: ${nativeLoadError()}; no WebAssembly backend (${wasmLoadError()}); using the TypeScript backend`);
  }
  return referenceKernels;
}

function backendFromEnv(): BackendChoice {
  const v = process.env.SOFTAC_BACKEND;
  if (v === undefined || v === '') return 'auto';
  if ((BACKEND_CHOICES as readonly string[]).includes(v)) return v as BackendChoice;
  throw new RangeError(`SOFTAC_BACKEND must be js, native, wasm or auto, got '${v}'`);
}
