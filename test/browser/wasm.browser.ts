/**
 * The WebAssembly backend in real headless Chromium: the page imports
 * dist/src/kernels/wasm-kernels.js as it is (no bundler, no Node API), compiles
 * wasm/softac.wasm with WebAssembly.compileStreaming and runs kernels through wasmKernels.
 * The results must be the Node backend's bits (the same module on the same engine family)
 * and close to the TypeScript reference; the page must log no error and make no request but
 * to the package's own files (served from this checkout under a made-up origin).
 */
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Browser } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { loadWasm, referenceKernels } from '../../src/kernels/index.js';
import { assertClose, assertSameBits } from '../helpers/assert.js';
import { launchChromium } from './chromium.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const ORIGIN = 'http://softac.test';
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

// The same inputs and calls in the page and here: gemm NN 17x33x65, tanh, then adam twice.
const [M, N, K, E] = [17, 33, 65, 257];
const CALLS = `
  const f = (n, s) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * s));
  const a = f(${M * K}, 0.37), b = f(${K * N}, 0.11), c = new Float32Array(${M * N});
  k.gemm(false, false, ${M}, ${N}, ${K}, 1, a, b, 0, c);
  const x = f(${E}, 1.3).map((v) => 4 * v), t = new Float32Array(${E});
  k.tanh(t, x);
  const p = f(${E}, 0.7), g = f(${E}, 0.9), m = new Float32Array(${E}), v = new Float32Array(${E});
  for (let step = 1; step <= 2; step++) k.adam(p, g, m, v, step, 1e-3, 0.9, 0.999, 1e-8, 0);
  return { c, t, p };`;

type Results = { c: Float32Array; t: Float32Array; p: Float32Array };

function here(k: import('../../src/kernels/index.js').Kernels): Results {
  return new Function('k', CALLS)(k) as Results;
}

let browser: Browser;

test.before(async () => {
  browser = await launchChromium();
});

test.after(async () => {
  await browser?.close();
});

test('wasm-kernels.js and softac.wasm run in Chromium and give the Node backend\'s bits', async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => { if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    const path = url.pathname === '/' ? null : join(root, url.pathname);
    if (url.origin !== ORIGIN || (path !== null && !/^\/(dist\/src|wasm)\//.test(url.pathname))) {
      problems.push(`request off the package: ${url.href}`);
      await route.abort();
      return;
    }
    if (path === null) await route.fulfill({ body: '<!doctype html><title>softac wasm</title>', contentType: TYPES['.html'] });
    else await route.fulfill({ body: readFileSync(path), contentType: TYPES[extname(path)] ?? 'application/octet-stream' });
  });
  await page.goto(`${ORIGIN}/`);
  const fromPage = await page.evaluate(`(async () => {
    const { wasmKernels } = await import('/dist/src/kernels/wasm-kernels.js');
    const k = wasmKernels(await WebAssembly.compileStreaming(fetch('/wasm/softac.wasm')));
    const r = await (async (k) => { ${CALLS} })(k);
    return { backend: k.backend, c: Array.from(r.c), t: Array.from(r.t), p: Array.from(r.p) };
  })()`) as { backend: string; c: number[]; t: number[]; p: number[] };
  await page.close();
  assert.equal(problems, []);
  assert.is(fromPage.backend, 'wasm');
  const node = here(loadWasm());
  assertSameBits(Float32Array.from(fromPage.c), node.c, 'gemm');
  assertSameBits(Float32Array.from(fromPage.t), node.t, 'tanh');
  assertSameBits(Float32Array.from(fromPage.p), node.p, 'adam');
  const ref = here(referenceKernels);
  assertClose(node.c, ref.c, { atol: 1e-5, rtol: 1e-5, label: 'gemm against the reference' });
  assertClose(node.t, ref.t, { atol: 0, rtol: 4 * 2 ** -23, label: 'tanh against the reference' });
});

test.run();
