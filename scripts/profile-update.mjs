#!/usr/bin/env node
/**
 * N SAC updates of one build, for load-proof measures of the update's cost:
 *
 *   node scripts/profile-update.mjs DIR [N]         (DIR: a built checkout; N updates, default 50)
 *   T=2 B=100 D=17x6 node scripts/profile-update.mjs DIR 50
 *   W=20 node scripts/profile-update.mjs DIR 20     (W warm-up updates first, default 5)
 *
 * It prints the kernel calls that crossed from JavaScript into the backend per update (the
 * tape's dispatches) and, when the addon counts them, the pool's fork-join barriers per
 * update. Under `valgrind --tool=callgrind`, run it with N and with 0: the difference of the
 * two instruction totals over N is the instructions of one update, whatever else the
 * machine runs (scripts/callgrind-update.sh does exactly that).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, nArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node scripts/profile-update.mjs DIR [N]   (env: T threads, B batch, D obs x act)');
  process.exit(2);
}
const N = Number(nArg ?? 50), T = Number(process.env.T ?? 1), B = Number(process.env.B ?? 256);
const [obsDim, actDim] = (process.env.D ?? '3x1').split('x').map(Number);
const at = (p) => pathToFileURL(resolve(dir, 'dist', p)).href;
const { getKernels, rawAddon } = await import(at('src/kernels/index.js'));
const { SAC } = await import(at('src/sac/sac.js'));
const { ReplayBuffer } = await import(at('src/sac/buffer.js'));
const { Rng } = await import(at('src/nn/index.js'));

const k = getKernels();
k.setNumThreads(T);
// Every call through the Kernels object is one crossing from JavaScript into the backend.
let calls = 0;
const counted = new Proxy(k, {
  get(target, key) {
    const v = target[key];
    if (typeof v !== 'function') return v;
    return (...args) => {
      calls++;
      return v.apply(target, args);
    };
  },
});
const bounds = { low: new Array(actDim).fill(-1), high: new Array(actDim).fill(1) };
const sac = new SAC(counted, obsDim, bounds, { hidden: [256, 256], batchSize: B }, 0);
const buf = new ReplayBuffer(obsDim, actDim, 10_000);
const rng = new Rng(1);
const o = new Float32Array(obsDim), o2 = new Float32Array(obsDim), a = new Float32Array(actDim);
for (let i = 0; i < 10_000; i++) {
  for (let j = 0; j < obsDim; j++) { o[j] = rng.normal(); o2[j] = rng.normal(); }
  for (let j = 0; j < actDim; j++) a[j] = rng.uniformIn(-1, 1);
  buf.store(o, a, rng.normal(), o2, false);
}
// Warm-up: the plans are captured, and V8 has compiled the hot functions (under callgrind,
// compiling inside the counted updates shows up as node's instructions).
const W = Number(process.env.W ?? 5);
for (let i = 0; i < W; i++) sac.update(buf.sampleBatch(B, rng));
const raw = rawAddon();
const barriers = () => (raw && typeof raw.info().barriers === 'number' ? raw.info().barriers : NaN);
calls = 0;
const b0 = barriers();
for (let i = 0; i < N; i++) sac.update(buf.sampleBatch(B, rng));
const perUpdate = (x) => (N > 0 ? (x / N).toFixed(1) : '-');
console.log(`threads ${T}, batch ${B}, dims ${obsDim}x${actDim}, ${N} updates`);
console.log(`kernel calls from JavaScript per update: ${perUpdate(calls)}`);
console.log(`pool barriers per update: ${Number.isNaN(b0) ? 'not counted by this build' : perUpdate(barriers() - b0)}`);
// A build with captured plans: each step's calls, work and span (see native/src/plan.h).
for (const [step, plan] of sac.capturedPlans?.() ?? []) {
  const s = plan.stats();
  if (!s) continue;
  const bound = s.work / Math.max(s.span, s.work / 2);
  console.log(`plan ${step}: ${s.steps} calls, work ${(s.work / 1e6).toFixed(1)}M, span ${(s.span / 1e6).toFixed(1)}M, ` +
    `two lanes without splitting at most ${bound.toFixed(2)}x; last run's calls per lane ${s.laneSteps.slice(0, T).join(' / ')}`);
}
