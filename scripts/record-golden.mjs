#!/usr/bin/env node
// Records the behaviour fingerprints (test/behaviour/runs.ts) into test/fixtures/golden.json
// for the TypeScript reference, every native SIMD path this CPU runs and WebAssembly, or for
// the variants named by --only (`--only wasm`, `--only native/avx2,native/scalar`), leaving
// the others' records as they are. Only for a change that is meant to alter results (or a
// new backend); say so in its commit. Needs a build (npm run build).
import { writeFileSync, readFileSync, existsSync } from 'node:fs';

const runs = await import('../dist/test/behaviour/runs.js');
const { tryLoadNative, tryLoadWasm } = await import('../dist/src/kernels/index.js');
const golden = existsSync(runs.goldenPath) ? JSON.parse(readFileSync(runs.goldenPath, 'utf8')) : {};
const all = ['js', ...(tryLoadNative()?.info().paths ?? []).map((p) => `native/${p}`), ...(tryLoadWasm() ? ['wasm'] : [])];
const at = process.argv.indexOf('--only');
const only = at > 0 ? (process.argv[at + 1] ?? '').split(',') : null;
const unknown = only?.filter((v) => !all.includes(v)) ?? [];
if (unknown.length) {
  console.error(`record-golden: --only ${unknown.join(',')}: not a variant here (${all.join(', ')})`);
  process.exit(1);
}
const variants = only ?? all;
for (const v of variants) {
  golden[v] = {};
  for (const name of Object.keys(runs.cases)) golden[v][name] = await runs.fingerprint(name, v);
  console.log(`${v}: recorded ${Object.keys(runs.cases).length} fingerprints`);
}
writeFileSync(runs.goldenPath, `${JSON.stringify(golden, null, 2)}\n`);
