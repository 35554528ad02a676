/**
 * `softac eval --model FILE --env ENV --episodes N [--render PAGE]`: deterministic episodes
 * of a saved policy, and with --render the first one as a replay page.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { MujocoEnv } from '../envs/index.js';
import { loadEnvFactory } from '../envs/load.js';
import { writeFileAtomic } from '../io/atomic.js';
import { getKernels, type BackendChoice } from '../kernels/index.js';
import { replayHtml } from '../replay/html.js';
import { checkDrawable, recordOnFreshEnv } from '../replay/record.js';
import { Policy } from '../sac/policy.js';
import { stat } from '../train/epoch-logger.js';
import { testAgent } from '../train/loop.js';
import { backendFlag, UsageError } from './usage.js';

export const evalUsage = `usage: softac eval --model FILE [--env NAME|PATH] [--episodes N] [--seed N] [--backend B] [--render PAGE]

  --model FILE     a model.safetensors (softac's, or a PyTorch MLPActorCritic state dict)
  --env NAME|PATH  the environment [Pendulum-v1]
  --episodes N     deterministic episodes to run [10]
  --seed N         seed of the episodes' resets [0]
  --backend B      js, native, wasm or auto [$SOFTAC_BACKEND, else auto]
  --render PAGE    also write the first episode as a replay: one self-contained HTML
                   page (play, pause, a time slider, the reward terms of each step)
`;

export async function evalCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { model: { type: 'string' }, env: { type: 'string', default: 'Pendulum-v1' }, episodes: { type: 'string', default: '10' },
      seed: { type: 'string', default: '0' }, backend: { type: 'string' }, render: { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write(evalUsage);
    return;
  }
  if (positionals.length) throw new UsageError(`eval: unexpected argument '${positionals[0]}'`);
  if (!values.model) throw new UsageError('eval: --model FILE is required');
  const episodes = Number(values.episodes), seed = Number(values.seed);
  if (!Number.isInteger(episodes) || episodes < 1) throw new UsageError(`--episodes must be a positive integer, got '${values.episodes}'`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be an integer from 0 to 4294967295, got '${values.seed}'`);
  backendFlag(values.backend);
  if (values.render !== undefined) checkWritable(values.render);
  const name = values.env!, makeEnv = await loadEnvFactory(name);
  const env = makeEnv();
  try {
    if (values.render !== undefined) checkDrawable(env, name, '--render');
    const policy = Policy.load(values.model, { bounds: env.actionSpace, kernels: getKernels(values.backend as BackendChoice | undefined) });
    if (policy.sizes.obsDim !== env.observationSpace.shape[0])
      throw new UsageError(`eval: the model reads ${policy.sizes.obsDim} observation values, '${name}' gives ${env.observationSpace.shape[0]}`);
    const maxEpLen = env.maxEpisodeSteps ?? 1000;
    const { rets, lens } = testAgent(policy, env, name, episodes, maxEpLen, seed);
    rets.forEach((r, i) => console.log(`episode ${i + 1}: return ${r.toFixed(3)}, length ${lens[i]}`));
    const s = stat(rets);
    console.log(`average return ${s.average.toFixed(3)} (std ${s.std.toFixed(3)}, min ${s.min.toFixed(3)}, max ${s.max.toFixed(3)}) over ${episodes} episodes`);
    if (values.render !== undefined) {
      const rec = recordOnFreshEnv(policy, makeEnv, name, maxEpLen, seed);
      const html = replayHtml(rec, `softac eval --model ${values.model}`);
      try {
        writeFileAtomic(values.render, html);
      } catch (e) {
        throw new Error(`--render ${values.render}: cannot write the replay: ${(e as Error).message}`, { cause: e });
      }
      console.log(`replay of episode 1 (return ${rec.ret.toFixed(3)}, ${rec.steps} steps): ${values.render} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB)`);
    }
  } finally {
    if (env instanceof MujocoEnv) env.close();
  }
}

/** Refuses a --render path that cannot be written before any episode runs (they may take a while). */
function checkWritable(path: string): void {
  const fail = (why: string): never => {
    throw new Error(`--render ${path}: cannot write the replay there: ${why}`);
  };
  const stats = (p: string) => {
    try {
      return statSync(p, { throwIfNoEntry: false });
    } catch (e) {
      return fail((e as Error).message);
    }
  };
  if (path === '') fail('the path is empty');
  const dir = dirname(resolve(path));
  if (stats(path)?.isDirectory()) fail('it is a directory');
  const d = stats(dir);
  if (!d) fail(`the directory ${dir} does not exist`);
  if (!d!.isDirectory()) fail(`${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    fail(`the directory ${dir} is not writable`);
  }
}
