/**
 * The learning benchmark (`softac bench learn`, `npm run bench:learn`): SAC with Spinning
 * Up's defaults on an env for N steps per seed (default Pendulum-v1, 20,000 steps, seeds
 * 0-4), reporting each seed's final average test return, wall time and update rate. With a
 * runs directory every seed keeps its run directory and resumes from its checkpoint, so the
 * million-step MuJoCo runs can span sessions. A benchmark, not a test: it takes minutes to
 * hours.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

import * as is from '../src/check/is.js';
import { loadCheckpoint } from '../src/io/checkpoint.js';
import { resolveOptions, type SacOptions } from '../src/sac/options.js';
import type { EpochStats } from '../src/train/epoch-logger.js';
import { type Run, resumeRun, startRun, stopRun } from '../src/train/run.js';
import { torchBaseline } from './common.js';

export interface LearnRow {
  bench: 'learn';
  /** softac's row, or the PyTorch baseline's (bench/pytorch_learn.py). */
  backend?: string;
  env: string;
  seed: number;
  steps: number;
  /** The last epoch's average deterministic test return (Spinning Up's AverageTestEpRet). */
  final_test_return: number;
  /** Training time, summed over the sessions of a resumed run. */
  wall_s: number;
  /** SAC updates per second of wall time, over the whole run. */
  updates_per_s?: number;
  /** Where the run's files are (with runs). */
  run_dir?: string;
}

export interface LearnOptions {
  env: string;
  seeds: number[];
  steps: number;
  options: Partial<SacOptions>;
  /**
   * A directory for the runs, one per seed (<runs>/<env>-seed<N>): each keeps its
   * progress.txt, curve, model and checkpoint, and an unfinished one is resumed from its
   * checkpoint, so a run of a million steps can span sessions. Default: no files.
   */
  runs?: string;
  /** Native kernel threads (default: all cores). */
  threads?: number;
  onRow(row: LearnRow): void;
  /** After each epoch of each seed. */
  onEpoch?(seed: number, stats: EpochStats, totalEpochs: number): void;
  /** Asked between slices of steps: true stops the run after checkpointing it. */
  shouldStop?(): boolean;
}

const LEARN_KEYS = ['env', 'seeds', 'steps', 'options', 'runs', 'threads', 'onRow', 'onEpoch', 'shouldStop'] as const;

/** The run directory of one seed. */
export function learnRunDir(runs: string, env: string, seed: number): string {
  return join(runs, `${basename(env).replace(/\.m?js$/, '')}-seed${seed}`);
}

/**
 * SAC with the given options on each seed in turn. Resolves with a row per finished seed;
 * when shouldStop() ends a seed early, its checkpoint is written and no further seed starts.
 */
export async function benchLearn(o: LearnOptions): Promise<LearnRow[]> {
  is.plainObject('benchLearn: options', o);
  is.knownKeys('benchLearn', o, LEARN_KEYS);
  is.string("benchLearn: option 'env'", o.env);
  is.integer("benchLearn: option 'steps'", o.steps, 1);
  is.func("benchLearn: option 'onRow'", o.onRow);
  if (o.runs !== undefined) is.string("benchLearn: option 'runs'", o.runs);
  if (o.threads !== undefined) is.integer("benchLearn: option 'threads'", o.threads, 1, 256);
  const { stepsPerEpoch } = resolveOptions(o.options, 'benchLearn', 'options.', { '': LEARN_KEYS });
  if (o.steps % stepsPerEpoch !== 0) throw new RangeError(`bench learn: --steps ${o.steps} must be a multiple of the epoch length ${stepsPerEpoch}`);
  const epochs = o.steps / stepsPerEpoch;
  const options = resolveOptions({ ...o.options, epochs });
  const rows: LearnRow[] = [];
  for (const seed of o.seeds) {
    const cb = { onEpoch: (s: EpochStats) => o.onEpoch?.(seed, s, epochs) };
    const dir = o.runs === undefined ? null : learnRunDir(o.runs, o.env, seed);
    let r: Run;
    if (dir !== null && existsSync(join(dir, 'checkpoint.safetensors'))) {
      checkSameRun(dir, o.env, seed, options);
      r = await resumeRun({ dir, epochs, threads: o.threads, label: 'bench learn: run directory' }, cb);
    } else {
      r = await startRun({ env: o.env, options, seed, threads: o.threads, out: dir }, cb);
    }
    const { stopped } = await r.trainer.runAsync({ shouldStop: o.shouldStop });
    if (stopped) {
      stopRun(r);
      break;
    }
    const tr = r.trainer, last = tr.epochs[tr.epochs.length - 1]!, wall = tr.elapsed();
    const row: LearnRow = { bench: 'learn', env: o.env, seed, steps: o.steps, final_test_return: last.testEpRet.average, wall_s: wall,
      updates_per_s: tr.agent.qOptimizer.t / wall, ...(dir === null ? {} : { run_dir: dir }) };
    rows.push(row);
    o.onRow(row);
  }
  return rows;
}

/** A run directory to continue must hold this very run: same env, seed and options (but its length). */
function checkSameRun(dir: string, env: string, seed: number, options: SacOptions): void {
  const state = loadCheckpoint(join(dir, 'checkpoint.safetensors')).state as { envName?: unknown; seed?: unknown; options?: Record<string, unknown> };
  const differs: string[] = [];
  if (state.envName !== env) differs.push(`env ${String(state.envName)}, not ${env}`);
  if (state.seed !== seed) differs.push(`seed ${String(state.seed)}, not ${seed}`);
  for (const [k, v] of Object.entries(options)) {
    if (k !== 'epochs' && JSON.stringify(state.options?.[k]) !== JSON.stringify(v)) differs.push(`${k} ${JSON.stringify(state.options?.[k])}, not ${JSON.stringify(v)}`);
  }
  if (differs.length) throw new RangeError(`bench learn: ${dir} holds another run (${differs.join('; ')}); give another --runs directory or remove it`);
}

/**
 * Spinning Up's PyTorch SAC on Pendulum-v1 with its defaults, per seed, timed end to end
 * (bench/pytorch_learn.py), one process per seed on one thread with a single-threaded BLAS
 * (the fastest setting measured here). A string says why it did not run.
 */
export function pytorchLearnRows(seeds: number[], steps: number, onRow: (row: LearnRow) => void): LearnRow[] | string {
  const run = torchBaseline('pytorch_learn.py');
  if (typeof run === 'string') return run;
  const rows: LearnRow[] = [];
  for (const seed of seeds) {
    const out = run(['--seeds', String(seed), '--steps', String(steps)], { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }, 3_600_000);
    if (typeof out === 'string') return out;
    const row = out[out.length - 1] as LearnRow;
    rows.push(row);
    onRow(row);
  }
  return rows;
}

export const learnHeader = '| seed | final average test return | wall time (s) | updates/s |\n|-----:|-------------------------:|--------------:|----------:|';

/** One seed's row of the learning table. */
export function learnRowText(r: LearnRow): string {
  const ups = r.updates_per_s === undefined ? '' : r.updates_per_s.toFixed(1);
  return `| ${String(r.seed).padStart(4)} | ${r.final_test_return.toFixed(1).padStart(24)} | ${r.wall_s.toFixed(1).padStart(13)} | ${ups.padStart(9)} |`;
}

/** The mean over seeds, as the table's last row. */
export function learnMeanText(rows: readonly LearnRow[]): string {
  const mean = (f: (r: LearnRow) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
  const sd = Math.sqrt(mean((r) => (r.final_test_return - mean((x) => x.final_test_return)) ** 2));
  return `| mean | ${`${mean((r) => r.final_test_return).toFixed(1)} ± ${sd.toFixed(1)}`.padStart(24)} | ${mean((r) => r.wall_s).toFixed(1).padStart(13)} |           |`;
}
