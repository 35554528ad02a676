/**
 * The messages between a sweep job's child process (child.ts) and the process that runs it
 * (a local sweep or a queue worker, through process.ts), over Node's IPC channel.
 */
import type { BackendChoice } from '../../kernels/index.js';
import type { SweepJob } from './plan.js';

/** Parent to child: the job once, then perhaps a stop. */
export type ToChild =
  | { type: 'run'; job: SweepJob; dir: string; threads?: number; backend?: BackendChoice }
  | { type: 'stop' };

/** Child to parent. */
export type FromChild =
  | { type: 'start'; t: number; total: number; epochsDone: number; warnings: string[] }
  | { type: 'step'; t: number; total: number }
  | { type: 'epoch'; epoch: number; epochs: number; steps: number; testReturn: number }
  | { type: 'end'; state: 'done' | 'stopped' | 'skipped'; epochsDone: number; testReturn: number }
  /** retry: false for a JobError (another try would fail the same way). */
  | { type: 'error'; message: string; retry: boolean };
