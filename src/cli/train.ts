/**
 * `softac train`: flags generated from SacOptions (each field in kebab case, with its
 * default and its doc line), plus --env, --seed, --threads, --backend.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { envNames } from '../envs/index.js';
import { defaults, optionDocs, optionKeys, resolveOptions, type SacOptions } from '../sac/options.js';
import type { EpochStats } from '../train/epoch-logger.js';
import { defaultRunDir } from '../train/run-dir.js';
import { epochTable } from '../train/run-logger.js';
import { type Run, resumeRun, startRun, stopRun } from '../train/run.js';
import { ProgressLine } from './progress.js';
import { whileStoppable } from './signals.js';
import { backendFlag, UsageError } from './usage.js';

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export function trainUsage(): string {
  const lines = optionKeys.map((key) => {
    const d = defaults[key];
    const shown = d === undefined ? '(lr)' : Array.isArray(d) ? d.join(',') : String(d);
    return `  ${`--${kebab(key)}`.padEnd(24)} ${optionDocs[key]} [${shown}]`;
  });
  return `usage: softac train [options]

  --env NAME|PATH          ${envNames.slice(0, 3).join(', ')},
                           ${envNames.slice(3).join(', ')}, or a path to an ES module whose
                           default export is an Env class (a MujocoEnv too) or a factory
                           [Pendulum-v1]
  --seed N                 seed of everything random [0]
  --threads N              native kernel threads [all cores]
  --backend B              js, native, wasm or auto [$SOFTAC_BACKEND, else auto]
  --out DIR                where config.json, progress.txt, learning-curve.svg,
                           model.safetensors and checkpoint.safetensors go
                           [runs/<env>-<date>-<time>]
  --resume DIR             continue the run in DIR from its checkpoint.safetensors,
                           bit-identical to a run never interrupted; only --epochs (to
                           extend it) and --threads may be given with it
  --render-every N         every N epochs, write replay.html into the run directory: the
                           epoch's last test episode as a page to watch (the gait as it
                           develops); training's numbers are unchanged [never]

Ctrl-C (or SIGTERM) stops between two steps, saves the checkpoint and exits with 130.
A checkpoint is also saved at the end of every epoch.

${lines.join('\n')}
`;
}

export function parseValue(key: keyof SacOptions, raw: string): unknown {
  const flag = `--${kebab(key)}`;
  if (key === 'hidden') {
    const hs = raw.split(',').map((x) => Number(x.trim()));
    if (!hs.every((h) => Number.isInteger(h) && h >= 1)) throw new UsageError(`${flag} must be a comma-separated list of positive integers like 256,256, got '${raw}'`);
    return hs;
  }
  if (key === 'alpha' && raw === 'auto') return 'auto';
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${flag} must be a number${key === 'alpha' ? " or 'auto'" : ''}, got '${raw}'`);
  return v;
}

/** One string flag per SacOptions field, in kebab case (for node:util parseArgs). */
export const optionFlags = Object.fromEntries(optionKeys.map((k) => [kebab(k), { type: 'string' as const }]));

/** The SacOptions fields given as flags (parsed and checked one by one), over a preset. */
export function optionsFromFlags(given: Record<string, unknown>, preset: Partial<SacOptions> = {}): Partial<SacOptions> {
  const partial: Record<string, unknown> = { ...preset };
  for (const k of optionKeys) {
    const raw = given[kebab(k)];
    if (typeof raw === 'string') partial[k] = parseValue(k, raw);
  }
  return partial as Partial<SacOptions>;
}

/** resolveOptions, with its errors worded as flags (--gamma, not 'gamma'). */
export function checkedOptions(partial: Partial<SacOptions>): SacOptions {
  try {
    return resolveOptions(partial);
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/SAC option '(\w+)'/, (_, k: string) => `--${kebab(k)}`));
  }
}

/** The flags that may come with --resume: everything else is the checkpoint's. */
const RESUME_FLAGS = new Set(['resume', 'epochs', 'threads', 'help']);

export async function trainCommand(argv: string[], preset: Partial<SacOptions> = {}): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...optionFlags, env: { type: 'string' }, seed: { type: 'string' }, threads: { type: 'string' }, backend: { type: 'string' },
      out: { type: 'string' }, resume: { type: 'string' }, 'render-every': { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write(trainUsage());
    return;
  }
  if (positionals.length) throw new UsageError(`train: unexpected argument '${positionals[0]}'`);
  const given = values as unknown as Record<string, string | undefined>;
  if (values.resume !== undefined) {
    const extra = Object.keys(given).filter((f) => given[f] !== undefined && !RESUME_FLAGS.has(f));
    if (extra.length) throw new UsageError(`--resume continues a run with its saved settings; only --epochs (to extend it) and --threads may be given with it, got --${extra[0]}`);
  }
  const partial = optionsFromFlags(given, preset);
  const opts = checkedOptions(partial);
  const seed = Number(values.seed ?? '0');
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be an integer from 0 to 4294967295, got '${values.seed}'`);
  // No --backend: getKernels reads SOFTAC_BACKEND (default auto), as every command does.
  const backend = backendFlag(values.backend);
  let renderEvery: number | undefined;
  if (values['render-every'] !== undefined) {
    renderEvery = Number(values['render-every']);
    if (!Number.isSafeInteger(renderEvery) || renderEvery < 1)
      throw new UsageError(`--render-every must be a positive integer (epochs), got '${values['render-every']}'`);
  }
  let threads: number | undefined;
  if (values.threads !== undefined) {
    threads = Number(values.threads);
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new UsageError(`--threads must be an integer from 1 to 256, got '${values.threads}'`);
  }

  const progress = new ProgressLine(process.stderr);
  const callbacks = {
    onStep: (t: number, total: number) => progress.update(t, total),
    onEpoch: (s: EpochStats) => {
      progress.clear();
      console.log(epochTable(s));
    },
  };

  let r: Run;
  if (values.resume !== undefined) {
    const epochs = given.epochs !== undefined ? (partial.epochs as number) : undefined;
    r = await resumeRun({ dir: values.resume, epochs, threads, label: '--resume' }, callbacks);
    for (const w of r.warnings) console.warn(`softac: warning: ${w}`);
    const tr = r.trainer;
    console.log(`softac: resuming ${r.logger!.run.dir} at step ${tr.t} of ${tr.totalSteps} (SAC on ${tr.envName}, seed ${tr.seed}); kernels: ${describe(r.kernels.info())}`);
  } else {
    const envName = values.env ?? 'Pendulum-v1';
    r = await startRun({ env: envName, options: opts, seed, backend, threads, out: values.out ?? defaultRunDir(envName), renderEvery }, callbacks);
    console.log(`softac: SAC on ${envName}, seed ${seed}, ${opts.epochs} epochs of ${opts.stepsPerEpoch} steps; kernels: ${describe(r.kernels.info())}; run directory ${r.logger!.run.dir}`
      + (renderEvery === undefined ? '' : `; a replay every ${renderEvery} epochs in replay.html`));
  }
  const { trainer } = r, dir = r.logger!.run.dir;

  // Ctrl-C (or SIGTERM) stops the loop between two steps; the run is then saved.
  const signal = await whileStoppable(async (stopSignal) => {
    const { stopped } = await trainer.runAsync({ shouldStop: () => stopSignal() !== null });
    progress.clear();
    return stopped ? stopSignal() : null;
  });
  if (signal) {
    stopRun(r);
    console.log(`softac: stopped by ${signal} at step ${trainer.t} of ${trainer.totalSteps}; checkpoint saved. Continue with: softac train --resume ${dir}`);
    process.exitCode = 130;
    return;
  }
  const replay = existsSync(join(dir, 'replay.html')) ? ', replay.html' : '';
  console.log(`softac: done; model.safetensors, checkpoint.safetensors, progress.txt, learning-curve.svg${replay} and config.json are in ${dir}`);
}

function describe(info: { backend: string; path?: string | null; threads?: number }): string {
  return `${info.backend}${info.backend === 'native' ? ` ${info.path}, ${info.threads} threads` : ''}`;
}
