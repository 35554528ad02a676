/**
 * Choosing a kernel backend. `SOFTAC_BACKEND=js|native|auto` (default auto) picks one for
 * the process; auto uses the native addon when it loads and otherwise the TypeScript
 * reference, with a one-line warning. Forcing native where it cannot load is an error
 * that says why.
 */
import { loadNative, nativeLoadError } from './native.js';
import { referenceKernels } from './reference.js';
import type { Kernels } from './types.js';

export type { Backend, KernelInfo, KernelPlan, Kernels, PlanArg, PlanCall, PlanStats, SimdPath } from './types.js';
export { LOG_STD_MAX, LOG_STD_MIN } from './types.js';
export type { AddonOrigin, NativeKernels, RawAddon } from './native.js';
export { exitAfter, loadNative, nativeLoadError, nativeSkipped, nativeSource, rawAddon } from './native.js';
export { referenceKernels } from './reference.js';

export type BackendChoice = 'js' | 'native' | 'auto';

/** The native backend, or null when the addon is not available. */
export function tryLoadNative() {
  return nativeLoadError() === null ? loadNative() : null;
}

let warned = false;

export function getKernels(backend: BackendChoice = backendFromEnv()): Kernels {
  if (backend === 'js') return referenceKernels;
  if (backend === 'native') return loadNative();
  const native = tryLoadNative();
  if (native) return native;
  if (!warned) {
    warned = true;
    console.warn(`softac: ${nativeLoadError()}; using the TypeScript backend`);
  }
  return referenceKernels;
}

function backendFromEnv(): BackendChoice {
  const v = process.env.SOFTAC_BACKEND;
  if (v === undefined || v === '') return 'auto';
  if (v === 'js' || v === 'native' || v === 'auto') return v;
  throw new RangeError(`SOFTAC_BACKEND must be js, native or auto, got '${v}'`);
}
