#!/usr/bin/env node
/**
 * The captured plans of one SAC update timed alone, and the whole update, on one thread and
 * on two, in one build (separate processes per build, so no two thread pools share the
 * machine as in ab-update.mjs):
 *
 *   node scripts/plan-times.mjs [DIR]          (DIR: a built checkout, default .)
 *   B=256 D=3x1 node scripts/plan-times.mjs DIR
 *
 * Each line: p10 and median in microseconds over 300 runs of plan q (the Q step), plan pi
 * (the policy step) and update() (batch sampling, both plans, Adam and polyak). Rounds
 * alternate 1 and 2 threads twice; the VM's placement of its vCPUs moves two-thread
 * figures by the hour, so compare builds run right after one another.
 */
import { makeUpdateAgent } from './update-agent.mjs';

const dir = process.argv[2] ?? '.';
const B = Number(process.env.B ?? 100);
const [od, ad] = (process.env.D ?? '17x6').split('x').map(Number);
const { k, sac, step } = await makeUpdateAgent(dir, { batch: B, obsDim: od, actDim: ad });
for (let i = 0; i < 20; i++) step();
const plans = sac.capturedPlans?.() ?? new Map();
const time = (f, n = 300) => {
  const ts = [];
  for (let r = 0; r < n; r++) {
    const t0 = process.hrtime.bigint();
    f();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  ts.sort((x, y) => x - y);
  return `p10 ${ts[Math.floor(n * 0.1)].toFixed(0)} med ${ts[Math.floor(n / 2)].toFixed(0)}`;
};
console.log(`batch ${B}, dims ${od}x${ad}, hidden 256x256, ${dir}`);
for (const T of [1, 2, 1, 2]) {
  k.setNumThreads(T);
  const out = [`T=${T}`];
  for (const [name, p] of plans) out.push(`${name}: ${time(() => p.run())}`);
  out.push(`update: ${time(step)}`);
  console.log(out.join('  '));
}
