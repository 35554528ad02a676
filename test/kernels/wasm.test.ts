/**
 * What is particular to the WebAssembly backend (the kernel suites run on it like on every
 * backend): it agrees bit for bit with the native scalar path (both round a multiply-add
 * twice, in the same orders); its module imports nothing, so a browser can instantiate it;
 * and its staging of the caller's arrays stays right when its memory grows, which detaches
 * every view of the old memory.
 */
import { readFileSync } from 'node:fs';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { referenceKernels, tryLoadNative, tryLoadWasm, wasmKernels } from '../../src/kernels/index.js';
import { assertClose, assertSameBits, Rng } from '../helpers/assert.js';
import { runAll } from '../helpers/every-kernel.js';

const wasm = tryLoadWasm();
if (process.env.SOFTAC_BACKEND === 'wasm' && !wasm) throw new Error('SOFTAC_BACKEND=wasm but wasm/softac.wasm is not built');
const native = process.env.SOFTAC_BACKEND === 'js' ? null : tryLoadNative();

const wasmFile = new URL('../../../wasm/softac.wasm', import.meta.url);
const WA = (globalThis as unknown as { WebAssembly: { Module: { new(b: Uint8Array): object; imports(m: object): unknown[] } } }).WebAssembly;

if (wasm) {
  test('the module imports nothing (no WASI): the same file runs in a browser', () => {
    const module = new WA.Module(readFileSync(wasmFile));
    assert.equal(WA.Module.imports(module), []);
    const k = wasmKernels(module);
    const out = new Float32Array(3);
    k.add(out, new Float32Array([1, 2, 3]), new Float32Array([0.5, 0.25, 0.125]));
    assert.equal(Array.from(out), [1.5, 2.25, 3.125]);
  });

  test('results stay right across memory growth, between calls and at the staging of one', () => {
    // A fresh instance: its memory starts at 16 MiB.
    const k = wasmKernels(new WA.Module(readFileSync(wasmFile)));
    const rng = new Rng(7);
    const [m, n, kk] = [17, 33, 65];
    const a = rng.array(m * kk), b = rng.array(kk * n);
    const expected = new Float32Array(m * n);
    referenceKernels.gemm(false, false, m, n, kk, 1, a, b, 0, expected);
    const check = (label: string) => {
      const c = new Float32Array(m * n).fill(Number.NaN);
      k.gemm(false, false, m, n, kk, 1, a, b, 0, c);
      assertClose(c, expected, { atol: 1e-5, rtol: 1e-5, label });
    };
    check('before growth');
    const before = k.memoryBytes();
    // 24M floats (96 MiB) in and out: the staging area, and so the memory, must grow.
    const big = new Float32Array(24 << 20).fill(0.5);
    const out = new Float32Array(big.length);
    k.scale(out, big, 2);
    assert.ok(k.memoryBytes() > before, `memory ${k.memoryBytes()} bytes, was ${before}`);
    assert.is(out[0], 1);
    assert.is(out[out.length - 1], 1);
    assert.is(k.sum(out.subarray(0, 1000)), 1000);
    check('after growth');
    // In place (out is exactly x) after the growth, through the refreshed views.
    const x = new Float32Array([1, -2, 3]);
    k.scale(x, x, -1);
    assert.equal(Array.from(x), [-1, 2, -3]);
  });

  test('the copies in and out move what each call needs: inputs in, outputs out, accumulators both', () => {
    const k = wasmKernels(new WA.Module(readFileSync(wasmFile)));
    const x = new Float32Array(1000), y = new Float32Array(1000);
    let before = k.bytesCopied();
    k.tanh(y, x);  // x in, y out
    assert.is(k.bytesCopied() - before, 8000);
    before = k.bytesCopied();
    k.axpy(y, 2, x);  // x in, y in and out
    assert.is(k.bytesCopied() - before, 12000);
    before = k.bytesCopied();
    k.scale(y, y, 2);  // y once, in and out
    assert.is(k.bytesCopied() - before, 8000);
  });

  if (native?.info().paths.includes('scalar')) {
    test('the wasm path gives the native scalar path\'s bits, kernel by kernel', () => {
      native.setSimdPath('scalar');
      native.setNumThreads(1);
      const fromNative = runAll(native);
      native.setSimdPath(native.info().paths[native.info().paths.length - 1]!);
      const fromWasm = runAll(wasm);
      for (const [name, r] of fromNative) {
        const w = fromWasm.get(name)!;
        if (typeof r === 'number') assert.ok(Object.is(w, r), `${name}: wasm ${w}, native scalar ${r}`);
        else assertSameBits(w as Float32Array, r, name);
      }
    });
  }
}

test.run();
