#!/usr/bin/env node
/**
 * A/B timing of one SAC update between two builds of softac, in one process, for changes
 * worth a few percent on a noisy shared machine (where two separate benchmark runs differ
 * by more than that):
 *
 *   node scripts/ab-update.mjs OLD_DIR NEW_DIR        (each a built checkout: dist/ and its addon)
 *   T=2 R=60 B=256 D=3x1 node scripts/ab-update.mjs ...   (threads, rounds, batch, obs x act)
 *   OLD_REPLAY=0 node scripts/ab-update.mjs . .         (one build: the tape against replayed plans)
 *
 * Each build trains its own agent (hidden 256x256, Spinning Up's update); rounds alternate
 * 10 updates of one and 10 of the other, in alternating order, and every update is timed.
 * It prints the 10th percentile and the median of each side's per-update times and their
 * ratios (old / new: above 1 means the new build is faster).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [oldDir, newDir] = process.argv.slice(2);
if (!oldDir || !newDir) {
  console.error('usage: node scripts/ab-update.mjs OLD_DIR NEW_DIR   (env: T threads, R rounds, B batch, D obs x act)');
  process.exit(2);
}
const T = Number(process.env.T ?? 1), R = Number(process.env.R ?? 40), B = Number(process.env.B ?? 256);
const [obsDim, actDim] = (process.env.D ?? '3x1').split('x').map(Number);

// OLD_REPLAY=0 / NEW_REPLAY=0 run that side through the tape (SAC.replay = false), on a
// build that has capture and replay; a build before it has no such switch.
const replay = { old: process.env.OLD_REPLAY !== '0', new: process.env.NEW_REPLAY !== '0' };

async function make(dir, side) {
  const at = (p) => pathToFileURL(resolve(dir, 'dist', p)).href;
  const { getKernels } = await import(at('src/kernels/index.js'));
  const { SAC } = await import(at('src/sac/sac.js'));
  const { ReplayBuffer } = await import(at('src/sac/buffer.js'));
  const { Rng } = await import(at('src/nn/index.js'));
  const k = getKernels();
  k.setNumThreads(T);
  const bounds = { low: new Array(actDim).fill(-1), high: new Array(actDim).fill(1) };
  const sac = new SAC(k, obsDim, bounds, { hidden: [256, 256], batchSize: B }, 0);
  if (!replay[side]) sac.replay = false;
  const buf = new ReplayBuffer(obsDim, actDim, 10_000);
  const rng = new Rng(1);
  const o = new Float32Array(obsDim), o2 = new Float32Array(obsDim), a = new Float32Array(actDim);
  for (let i = 0; i < 10_000; i++) {
    for (let j = 0; j < obsDim; j++) { o[j] = rng.normal(); o2[j] = rng.normal(); }
    for (let j = 0; j < actDim; j++) a[j] = rng.uniformIn(-1, 1);
    buf.store(o, a, rng.normal(), o2, false);
  }
  return () => sac.update(buf.sampleBatch(B, rng));
}

const sides = { old: await make(oldDir, 'old'), new: await make(newDir, 'new') };
for (let i = 0; i < 30; i++) { sides.old(); sides.new(); }
const times = { old: [], new: [] };
for (let r = 0; r < R; r++) {
  for (const name of r % 2 ? ['old', 'new'] : ['new', 'old']) {
    for (let i = 0; i < 10; i++) {
      const t0 = process.hrtime.bigint();
      sides[name]();
      times[name].push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
  }
}
const q = (x, p) => [...x].sort((u, v) => u - v)[Math.floor(p * (x.length - 1))];
const show = (x) => `p10 ${q(x, 0.1).toFixed(0)} us, median ${q(x, 0.5).toFixed(0)} us`;
console.log(`threads ${T}, batch ${B}, dims ${obsDim}x${actDim}, ${R} rounds${replay.old && replay.new ? '' : `, replay old ${replay.old} new ${replay.new}`}`);
console.log(`old ${show(times.old)}`);
console.log(`new ${show(times.new)}`);
console.log(`old / new: p10 ${(q(times.old, 0.1) / q(times.new, 0.1)).toFixed(3)}, median ${(q(times.old, 0.5) / q(times.new, 0.5)).toFixed(3)}`);
