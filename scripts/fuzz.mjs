// `npm run fuzz [-- --cases N] [--seed S] [--from I]`: the loaders' mutation fuzzing of
// test/io/fuzz.test.ts (test/helpers/fuzz.ts), run for N cases (default 1,000,000) from case
// I (default 0), with the rate, how far the files got, and each failure with the seed and
// case that replay it (--seed S --from I --cases 1). Exits 1 on any failure. Needs the
// TypeScript built (the npm script builds it first).
import { parseArgs } from 'node:util';

import { describeCase, runFuzz } from '../dist/test/helpers/fuzz.js';

const usage = (why) => {
  console.error(`fuzz: ${why}\nusage: npm run fuzz -- [--cases N] [--seed S] [--from I]`);
  process.exit(2);
};
let values;
try {
  ({ values } = parseArgs({ options: {
    cases: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '0' }, from: { type: 'string', default: '0' },
  } }));
} catch (e) {
  usage(e.message);
}
const cases = Number(values.cases), seed = Number(values.seed), from = Number(values.from);
if (!Number.isInteger(cases) || cases < 1) usage(`--cases must be a positive integer, got '${values.cases}'`);
if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) usage(`--seed must be an integer from 0 to 4294967295, got '${values.seed}'`);
if (!Number.isInteger(from) || from < 0) usage(`--from must be a non-negative integer, got '${values.from}'`);

const t0 = performance.now();
const line = (done, s) => {
  const secs = (performance.now() - t0) / 1000;
  return `${done} cases in ${secs.toFixed(1)} s (${Math.round(done / secs)} cases/s): ${s.decoded} decoded, ${s.refused} refused; `
    + `${s.policies} policies built, ${s.policyRefused} refused; slowest case ${s.slowestMs.toFixed(1)} ms (case ${s.slowestCase}); ${s.failures.length} failures`;
};
console.log(`fuzzing the safetensors reader and Policy loading: ${cases} cases from case ${from}, seed ${seed}`);
const stats = runFuzz(seed, cases, (done, s) => { if (done % 100_000 === 0) console.log(line(done, s)); }, from);
if (stats.cases % 100_000 !== 0) console.log(line(stats.cases, stats));
for (const f of stats.failures.slice(0, 20)) console.log(`FAIL ${describeCase(f)}`);
process.exit(stats.failures.length ? 1 : 0);
