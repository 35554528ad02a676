/**
 * A training run with its directory, started or resumed the one way that `softac train` and
 * trainInWorker both use: the kernels chosen (a resumed run keeps its checkpoint's backend
 * and says when the SIMD path differs), the env loaded, the Trainer built or restored, the
 * run directory written after every epoch (with a replay every renderEvery epochs, a
 * setting the checkpoint keeps), and on a stop the checkpoint and the model.
 */
import * as is from '../check/is.js';
import { MujocoEnv } from '../envs/index.js';
import { envSpecOf, loadEnvFactory } from '../envs/load.js';
import type { Env } from '../envs/types.js';
import { type BackendChoice, getKernels, type Kernels } from '../kernels/index.js';
import { checkDrawable } from '../replay/record.js';
import type { SacOptions } from '../sac/options.js';
import type { EpochStats } from './epoch-logger.js';
import { type TrainCallbacks, Trainer } from './loop.js';
import { openRunToResume, RunDir } from './run-dir.js';
import { RunLogger, type RunReplays } from './run-logger.js';

export interface NewRun {
  /** A built-in env name, or a path to an env module. */
  env: string;
  options?: Partial<SacOptions>;
  seed?: number;
  /** Default: SOFTAC_BACKEND, else auto. */
  backend?: BackendChoice;
  threads?: number;
  /** The run directory; null writes no files (stopRun then has nowhere to checkpoint). */
  out: string | null;
  /**
   * Every this many epochs, write replay.html into the run directory: the epoch's last test
   * episode as a replay page (replay/html.ts). Default: never. Kept across a resume.
   */
  renderEvery?: number;
}

export interface ResumedRun {
  /** The run directory to continue. */
  dir: string;
  /** A new, larger number of epochs. */
  epochs?: number;
  threads?: number;
  /** How the directory was named in errors: '--resume' for the CLI, 'resume' for the API. */
  label: string;
}

/** A run ready to train: trainer.runAsync() trains it; the logger (when there is a directory) keeps its files current. */
export interface Run {
  trainer: Trainer;
  logger: RunLogger | null;
  kernels: Kernels;
  /** What the caller should show: the SIMD path changed since the checkpoint, or the resume is not exact. */
  warnings: string[];
}

function wrap(cb: TrainCallbacks, logger: () => RunLogger | null): TrainCallbacks {
  return {
    onStep: cb.onStep,
    onEpoch: (s: EpochStats) => {
      logger()?.epoch(s);
      cb.onEpoch?.(s);
    },
  };
}

export async function startRun(spec: NewRun, cb: TrainCallbacks = {}): Promise<Run> {
  const k = getKernels(spec.backend);
  if (spec.threads !== undefined) k.setNumThreads(spec.threads);
  const makeEnv = await loadEnvFactory(spec.env);
  const envSpec = envSpecOf(spec.env);
  const seed = spec.seed ?? 0;
  const rendering = replays(spec.renderEvery, makeEnv, spec.env);
  let logger: RunLogger | null = null;
  const trainer = new Trainer({ k, makeEnv, envName: spec.env, options: spec.options, seed }, wrap(cb, () => logger));
  const info = k.info();
  if (spec.out !== null) {
    const run = new RunDir(spec.out);
    run.writeConfig({ env: spec.env, envSpec, seed, backend: info.backend, path: info.path, threads: info.threads,
      ...(rendering ? { renderEvery: rendering.every } : {}), options: trainer.agent.opts });
    logger = new RunLogger(run, trainer, { envSpec, kernels: { backend: info.backend, path: info.path ?? null } }, rendering);
  }
  return { trainer, logger, kernels: k, warnings: [] };
}

export async function resumeRun(spec: ResumedRun, cb: TrainCallbacks = {}): Promise<Run> {
  const { run, checkpoint, envName, envSpec } = openRunToResume(spec.dir, spec.label);
  // The checkpoint's backend, so the resumed run computes what the first one did.
  const saved = checkpoint.state as { kernels?: { backend?: unknown; path?: unknown }; renderEvery?: unknown };
  // The run's rendering, as RunLogger saved it; checked before the (slower) restore.
  if (saved.renderEvery !== undefined) is.integer(`${spec.label} ${spec.dir}: checkpoint: 'renderEvery'`, saved.renderEvery, 1);
  const b = saved.kernels?.backend;
  const backend = b === 'native' || b === 'wasm' || b === 'js' ? b : 'auto';
  const k = getKernels(backend);
  if (spec.threads !== undefined) k.setNumThreads(spec.threads);
  const info = k.info();
  const warnings: string[] = [];
  if (saved.kernels?.path !== undefined && saved.kernels.path !== (info.path ?? null))
    warnings.push(`the run used SIMD path ${String(saved.kernels.path)}, this process uses ${String(info.path ?? null)}; the resumed run is not bit-identical to an uninterrupted one`);
  const makeEnv = await loadEnvFactory(envSpec);
  let logger: RunLogger | null = null;
  let trainer: Trainer;
  try {
    trainer = Trainer.restore({ k, makeEnv, envName, epochs: spec.epochs }, checkpoint, wrap(cb, () => logger));
  } catch (e) {
    throw new Error(`${spec.label} ${spec.dir}: ${(e as Error).message}`);
  }
  if (trainer.inexact) warnings.push(trainer.inexact);
  logger = new RunLogger(run, trainer, { envSpec, kernels: { backend: info.backend, path: info.path ?? null } }, replays(saved.renderEvery as number | undefined, makeEnv, envName));
  return { trainer, logger, kernels: k, warnings };
}

/** A run's replay settings, once an env from makeEnv is known to be one a replay can draw. */
function replays(every: number | undefined, makeEnv: () => Env, envName: string): RunReplays | null {
  if (every === undefined) return null;
  const probe = makeEnv();
  try {
    checkDrawable(probe, envName, "the run's replays");
  } finally {
    if (probe instanceof MujocoEnv) probe.close();
  }
  return { every, makeEnv };
}

/** A stopped run's files: the checkpoint, to resume from, and the model as it is now. */
export function stopRun(r: Run): void {
  r.logger?.checkpoint();
  r.logger?.model();
}

