/** The messages between trainInWorker (main thread) and its worker (worker-entry.ts). */
import type { ActorCriticSizes } from '../sac/core.js';
import type { SacOptions } from '../sac/options.js';
import type { EpochStats } from './epoch-logger.js';

export interface WorkerTrainOptions {
  /** A built-in env name (Pendulum-v1, MountainCarContinuous-v0) or a path to an env module. */
  env?: string;
  options?: Partial<SacOptions>;
  seed?: number;
  /** Kernel backend of the worker (and of the live policy): js, native, wasm or auto (default). */
  backend?: 'js' | 'native' | 'wasm' | 'auto';
  /** Native kernel threads of the worker (the pool is shared by the process). */
  threads?: number;
  /**
   * The run directory: config, progress, curve, model and checkpoint after every epoch and
   * on stop(). Default runs/<env>-<date>-<time>, as `softac train`; null writes no files (and
   * stop() then has nowhere to checkpoint).
   */
  out?: string | null;
  /**
   * Every this many epochs, write replay.html into the run directory (the epoch's last test
   * episode, as a page to watch); default never. Needs a directory; a resumed run keeps its own.
   */
  renderEvery?: number;
  /** Continue the run in this directory from its checkpoint (its files keep being written there). */
  resume?: string;
  /** With resume: a new, larger number of epochs. */
  epochs?: number;
  /** Also send the live policy new weights every this many env steps (default: once per epoch). */
  policyEvery?: number;
}

export interface TrainSummary {
  /** Env steps taken, and the run's length. */
  steps: number;
  totalSteps: number;
  /** True when stop() ended it before the last step. */
  stopped: boolean;
  epochs: EpochStats[];
  /** Where the run's files are (null with out: null). */
  runDir: string | null;
}

export type ToWorker = { type: 'stop' } | { type: 'policy' };

export type FromWorker =
  | { type: 'ready'; sizes: ActorCriticSizes; bounds: { low: number[]; high: number[] }; names: string[]; shapes: number[][]; pi: Float32Array; t: number; totalSteps: number;
    inexact: string | null; warnings: string[]; backend: 'js' | 'native' | 'wasm' }
  | { type: 'progress'; t: number; total: number }
  | { type: 'epoch'; stats: EpochStats }
  | { type: 'policy'; t: number; pi: Float32Array }
  | { type: 'done'; summary: TrainSummary }
  | { type: 'error'; name: string; message: string };
