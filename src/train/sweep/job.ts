/**
 * One sweep job run in its directory, the same way wherever it runs (a local sweep's child, a
 * queue worker's child): a finished run is skipped, an unfinished one resumes from its
 * checkpoint (bit-identical, run.ts), a new one starts. A directory that holds another
 * run (another env, seed or option) is refused rather than continued.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { BackendChoice } from '../../kernels/index.js';
import type { EpochStats } from '../epoch-logger.js';
import { type Run, resumeRun, startRun, stopRun } from '../run.js';
import type { SweepJob } from './plan.js';

/** What a run directory holds, read from config.json and progress.txt only (cheap: no checkpoint load). */
export interface RunState {
  dir: string;
  config: { env?: unknown; seed?: unknown; options?: Record<string, unknown> } | null;
  /** Epochs in progress.txt. */
  epochsDone: number;
  /** The run's planned epochs (config.json), or null. */
  epochs: number | null;
  /** TotalEnvInteracts and AverageTestEpRet of each row. */
  steps: number[];
  testReturns: number[];
  hasCheckpoint: boolean;
  done: boolean;
}

/** progress.txt's columns by name (Spinning Up's tab-separated format). */
export function readProgress(file: string): Record<string, number[]> {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return {};
  const header = lines[0]!.split('\t');
  const cols: Record<string, number[]> = Object.fromEntries(header.map((h) => [h, []]));
  for (const line of lines.slice(1)) {
    const cells = line.split('\t');
    header.forEach((h, i) => cols[h]!.push(Number(cells[i])));
  }
  return cols;
}

export function runState(dir: string): RunState {
  let config: RunState['config'] = null;
  const configFile = join(dir, 'config.json');
  if (existsSync(configFile)) {
    try {
      config = JSON.parse(readFileSync(configFile, 'utf8')) as RunState['config'];
    } catch (e) {
      throw new Error(`${configFile}: not valid JSON (${(e as Error).message})`);
    }
  }
  const progressFile = join(dir, 'progress.txt');
  const cols = existsSync(progressFile) ? readProgress(progressFile) : {};
  const steps = cols.TotalEnvInteracts ?? [], testReturns = cols.AverageTestEpRet ?? [];
  const epochs = typeof config?.options?.epochs === 'number' ? config.options.epochs : null;
  const hasCheckpoint = existsSync(join(dir, 'checkpoint.safetensors'));
  return { dir, config, epochsDone: steps.length, epochs, steps, testReturns, hasCheckpoint,
    done: epochs !== null && steps.length >= epochs && hasCheckpoint };
}

/**
 * Why a run directory cannot be continued as this job: it holds another run (another env,
 * seed or option). Null when it holds this very job, or nothing yet.
 */
export function otherRun(st: RunState, job: SweepJob): string | null {
  const c = st.config;
  if (!c) return null;
  const differs: string[] = [];
  if (c.env !== job.env) differs.push(`env ${String(c.env)}, not ${job.env}`);
  if (c.seed !== job.seed) differs.push(`seed ${String(c.seed)}, not ${job.seed}`);
  for (const [k, v] of Object.entries(job.options)) {
    if (JSON.stringify(c.options?.[k]) !== JSON.stringify(v)) differs.push(`${k} ${JSON.stringify(c.options?.[k])}, not ${JSON.stringify(v)}`);
  }
  return differs.length ? `run directory ${st.dir} holds another run (${differs.join('; ')}); give another runs root or remove it` : null;
}

/** A job that cannot succeed however often it is tried (a bad env, another run in its directory, a NaN). */
export class JobError extends Error {
  override name = 'JobError';
}

export interface JobHooks {
  threads?: number;
  backend?: BackendChoice;
  /** Asked between slices of steps: true stops the run after checkpointing it. */
  shouldStop?: () => boolean;
  /** Once the run is ready: the step it starts at (0, or where a checkpoint left it). */
  onStart?: (t: number, total: number, epochsDone: number, warnings: string[]) => void;
  onStep?: (t: number, total: number) => void;
  onEpoch?: (s: EpochStats, epochs: number) => void;
}

export interface JobOutcome {
  /** 'skipped': it was done already. */
  state: 'done' | 'stopped' | 'skipped';
  epochsDone: number;
  /** The last epoch's average test return (NaN before the first epoch). */
  testReturn: number;
}

/** Runs (or continues, or skips) one job in `dir`. Errors that retrying cannot cure are JobErrors. */
export async function runJob(job: SweepJob, dir: string, hooks: JobHooks = {}): Promise<JobOutcome> {
  const st = runState(dir);
  const other = otherRun(st, job);
  if (other) throw new JobError(other);
  if (st.done) return { state: 'skipped', epochsDone: st.epochsDone, testReturn: st.testReturns.at(-1) ?? NaN };
  const cb = { onStep: hooks.onStep, onEpoch: (s: EpochStats) => hooks.onEpoch?.(s, job.options.epochs) };
  let r: Run;
  try {
    r = st.hasCheckpoint
      ? await resumeRun({ dir, threads: hooks.threads, label: 'sweep: run directory' }, cb)
      : await startRun({ env: job.env, options: job.options, seed: job.seed, backend: hooks.backend, threads: hooks.threads, out: dir }, cb);
  } catch (e) {
    throw new JobError((e as Error).message);
  }
  const tr = r.trainer;
  hooks.onStart?.(tr.t, tr.totalSteps, tr.epochs.length, r.warnings);
  let stopped: boolean;
  try {
    ({ stopped } = await tr.runAsync({ shouldStop: hooks.shouldStop }));
  } catch (e) {
    // A NaN, or an env that threw: the last good checkpoint stays, and another try would end the same way.
    throw new JobError((e as Error).message);
  }
  if (stopped) stopRun(r);
  return { state: stopped ? 'stopped' : 'done', epochsDone: tr.epochs.length, testReturn: tr.epochs.at(-1)?.testEpRet.average ?? NaN };
}
