/**
 * Behaviour is unchanged: the fingerprints of three fixed training runs and of the trace
 * of the PyTorch fixtures (test/behaviour/runs.ts) equal the recorded ones, on the
 * TypeScript reference, on every native SIMD path this CPU runs that has a record, and on
 * WebAssembly when its module is built.
 */
import { readFileSync } from 'node:fs';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { tryLoadNative, tryLoadWasm } from '../../src/kernels/index.js';
import { cases, fingerprint, type Golden, goldenPath, type Variant } from './runs.js';

const golden: Golden = JSON.parse(readFileSync(goldenPath, 'utf8'));
// SOFTAC_BACKEND=js: the reference only; =wasm: the reference and the module (as test/helpers/backends.ts).
const mode = process.env.SOFTAC_BACKEND;
const native = mode === 'js' || mode === 'wasm' ? null : tryLoadNative();
const wasm = mode === 'js' ? null : tryLoadWasm();
const variants: Variant[] = ['js', ...(native?.info().paths ?? []).map((p) => `native/${p}` as Variant).filter((v) => golden[v]),
  ...(wasm ? ['wasm' as const] : [])];

test('a record exists for the reference and for at least one native path when the addon loads', () => {
  assert.ok(golden.js, 'golden.json has the js fingerprints');
  if (native) assert.ok(variants.some((v) => v.startsWith('native/')), `no recorded fingerprints for any of ${native.info().paths.join(', ')}`);
  if (wasm) assert.ok(golden.wasm, 'golden.json has the wasm fingerprints');
});

test('the wasm record is the native scalar path\'s: both round each multiply-add twice, in the same order', () => {
  if (golden.wasm && golden['native/scalar']) assert.equal(golden.wasm, golden['native/scalar']);
});

for (const v of variants) {
  test(`${v}: every run and trace is byte-identical to the record`, async () => {
    const names = Object.keys(cases);
    // Two at a time: the machines have two cores.
    const results = new Map<string, Record<string, string>>();
    for (let i = 0; i < names.length; i += 2)
      await Promise.all(names.slice(i, i + 2).map(async (n) => results.set(n, await fingerprint(n, v))));
    for (const n of names) assert.equal(results.get(n), golden[v]![n], `${v} ${n}`);
  });
}

test.run();
