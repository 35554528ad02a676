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
import { makeUpdateAgent } from './update-agent.mjs';

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
  const { step } = await makeUpdateAgent(dir, { batch: B, obsDim, actDim, threads: T, replay: replay[side] });
  return step;
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
