/** `softac eval --model FILE --env ENV --episodes N`: deterministic episodes of a saved policy. */
import { parseArgs } from 'node:util';

import { getKernels, type BackendChoice } from '../kernels/index.js';
import { Policy } from '../sac/policy.js';
import { loadEnvFactory } from '../envs/load.js';
import { stat } from '../train/epoch-logger.js';
import { testAgent } from '../train/loop.js';
import { UsageError } from './usage.js';

export const evalUsage = `usage: softac eval --model FILE [--env NAME|PATH] [--episodes N] [--seed N] [--backend B]

  --model FILE     a model.safetensors (softac's, or a PyTorch MLPActorCritic state dict)
  --env NAME|PATH  the environment [Pendulum-v1]
  --episodes N     deterministic episodes to run [10]
  --seed N         seed of the episodes' resets [0]
  --backend B      js, native or auto [$SOFTAC_BACKEND, else auto]
`;

export async function evalCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { model: { type: 'string' }, env: { type: 'string', default: 'Pendulum-v1' }, episodes: { type: 'string', default: '10' },
      seed: { type: 'string', default: '0' }, backend: { type: 'string' }, help: { type: 'boolean', default: false } },
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
  if (values.backend !== undefined && !['js', 'native', 'auto'].includes(values.backend)) throw new UsageError(`--backend must be js, native or auto, got '${values.backend}'`);
  const makeEnv = await loadEnvFactory(values.env!);
  const env = makeEnv();
  const policy = Policy.load(values.model, { bounds: env.actionSpace, kernels: getKernels(values.backend as BackendChoice | undefined) });
  if (policy.sizes.obsDim !== env.observationSpace.shape[0])
    throw new UsageError(`eval: the model reads ${policy.sizes.obsDim} observation values, '${values.env}' gives ${env.observationSpace.shape[0]}`);
  const maxEpLen = env.maxEpisodeSteps ?? 1000;
  const { rets, lens } = testAgent(policy, env, values.env!, episodes, maxEpLen, seed);
  rets.forEach((r, i) => console.log(`episode ${i + 1}: return ${r.toFixed(3)}, length ${lens[i]}`));
  const s = stat(rets);
  console.log(`average return ${s.average.toFixed(3)} (std ${s.std.toFixed(3)}, min ${s.min.toFixed(3)}, max ${s.max.toFixed(3)}) over ${episodes} episodes`);
}
