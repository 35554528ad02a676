#!/usr/bin/env node
// Records the behaviour fingerprints (test/behaviour/runs.ts) into test/fixtures/golden.json
// for the TypeScript reference and every native SIMD path this CPU runs. Only for a change
// that is meant to alter results; say so in its commit. Needs a build (npm run build).
import { writeFileSync, readFileSync, existsSync } from 'node:fs';

const runs = await import('../dist/test/behaviour/runs.js');
const { tryLoadNative } = await import('../dist/src/kernels/index.js');
const golden = existsSync(runs.goldenPath) ? JSON.parse(readFileSync(runs.goldenPath, 'utf8')) : {};
const variants = ['js', ...(tryLoadNative()?.info().paths ?? []).map((p) => `native/${p}`)];
for (const v of variants) {
  golden[v] = {};
  for (const name of Object.keys(runs.cases)) golden[v][name] = await runs.fingerprint(name, v);
  console.log(`${v}: recorded ${Object.keys(runs.cases).length} fingerprints`);
}
writeFileSync(runs.goldenPath, `${JSON.stringify(golden, null, 2)}\n`);
