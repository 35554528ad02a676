/**
 * The agent the update-timing scripts (ab-update.mjs, plan-times.mjs) time: a built
 * checkout's SAC with hidden 256x256 at Spinning Up's other defaults, and a 10,000-row
 * replay buffer of random transitions (normal observations, uniform actions), seeded, so
 * every script and build times the same update on the same data.
 *
 *   const { k, sac, step } = await makeUpdateAgent(DIR, { batch: 100, obsDim: 17, actDim: 6 });
 *   step();   // sac.update(buf.sampleBatch(batch, rng))
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function makeUpdateAgent(dir, { batch, obsDim, actDim, threads, replay = true }) {
  const at = (p) => pathToFileURL(resolve(dir, 'dist', p)).href;
  const { getKernels } = await import(at('src/kernels/index.js'));
  const { SAC } = await import(at('src/sac/sac.js'));
  const { ReplayBuffer } = await import(at('src/sac/buffer.js'));
  const { Rng } = await import(at('src/nn/index.js'));
  const k = getKernels();
  if (threads !== undefined) k.setNumThreads(threads);
  const bounds = { low: new Array(actDim).fill(-1), high: new Array(actDim).fill(1) };
  const sac = new SAC(k, obsDim, bounds, { hidden: [256, 256], batchSize: batch }, 0);
  if (!replay) sac.replay = false;
  const buf = new ReplayBuffer(obsDim, actDim, 10_000);
  const rng = new Rng(1);
  const o = new Float32Array(obsDim), o2 = new Float32Array(obsDim), a = new Float32Array(actDim);
  for (let i = 0; i < 10_000; i++) {
    for (let j = 0; j < obsDim; j++) { o[j] = rng.normal(); o2[j] = rng.normal(); }
    for (let j = 0; j < actDim; j++) a[j] = rng.uniformIn(-1, 1);
    buf.store(o, a, rng.normal(), o2, false);
  }
  return { k, sac, step: () => sac.update(buf.sampleBatch(batch, rng)) };
}
