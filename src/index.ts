/**
 * softac's public API. The kernel layer is the foundation: one `Kernels` interface with a
 * TypeScript reference and a native (SIMD, threaded) implementation.
 */
export { getKernels, loadNative, nativeLoadError, referenceKernels, tryLoadNative } from './kernels/index.js';
export type { Backend, BackendChoice, KernelInfo, Kernels, NativeKernels, SimdPath } from './kernels/index.js';
