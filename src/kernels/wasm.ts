/**
 * The WebAssembly backend in Node: the only file that knows where `wasm/softac.wasm` is. It
 * loads the module once and hands it to wasm-kernels.ts, which implements the Kernels over
 * it (and which a browser uses directly), or keeps why it could not.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { webAssembly, wasmKernels, type WasmKernels } from './wasm-kernels.js';

export { wasmKernels, type WasmKernels } from './wasm-kernels.js';

// This file is src/kernels/wasm.ts, compiled to dist/src/kernels/wasm.js.
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A path as the user should read it: relative to the package when inside it. */
function shown(file: string): string {
  const r = relative(packageRoot, file);
  return r.startsWith('..') || isAbsolute(r) ? file : r;
}

let loaded: { kernels: WasmKernels | null; file: string; error: string | null } | null = null;

/** $SOFTAC_WASM when set (tests use it to make the module missing), else the package's wasm/softac.wasm. */
function load(): { kernels: WasmKernels | null; file: string; error: string | null } {
  if (loaded) return loaded;
  const file = process.env.SOFTAC_WASM ? resolve(process.env.SOFTAC_WASM) : join(packageRoot, 'wasm', 'softac.wasm');
  const fail = (error: string) => ({ kernels: null, file, error });
  if (webAssembly === undefined) {
    loaded = fail('this JavaScript engine has no WebAssembly');
  } else if (!existsSync(file)) {
    loaded = fail(process.env.SOFTAC_WASM ? `SOFTAC_WASM: no file at ${file}`
      : 'no wasm/softac.wasm (`npm run build:wasm` makes one; it needs clang-14, lld-14, wasi-libc and libclang-rt-14-dev-wasm32)');
  } else {
    try {
      loaded = { kernels: wasmKernels(new webAssembly.Module(readFileSync(file))), file, error: null };
    } catch (e) {
      // An engine without SIMD128 refuses the module here (Node >= 16.4 and current browsers have it).
      loaded = fail(`loading ${shown(file)} failed: ${(e as Error).message}`);
    }
  }
  return loaded;
}

/** The module file that loaded (relative to the package when inside it), or null. */
export function wasmSource(): string | null {
  const { kernels, file } = load();
  return kernels ? shown(file) : null;
}

/** Why the WebAssembly backend cannot be used, or null when it can. */
export function wasmLoadError(): string | null {
  return load().error;
}

/** The WebAssembly backend; throws an Error saying why when the module cannot be loaded. */
export function loadWasm(): WasmKernels {
  const { kernels, error } = load();
  if (!kernels) throw new Error(`softac: the WebAssembly backend is unavailable: ${error}`);
  return kernels;
}

