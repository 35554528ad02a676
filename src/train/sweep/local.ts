/**
 * A sweep on one machine: its jobs, N at a time, each in a child process with its own
 * thread count, under one runs root. Done jobs are skipped and unfinished ones resume from
 * their checkpoints (job.ts), so running the same sweep again continues where it stopped.
 */
import { join } from 'node:path';

import type { BackendChoice } from '../../kernels/index.js';
import type { JobOutcome } from './job.js';
import type { SweepJob } from './plan.js';
import { forkJob, JobFailure, type JobProcess } from './process.js';
import type { FromChild } from './protocol.js';

export interface LocalSweepOptions {
  runs: string;
  /** Jobs at a time. */
  workers: number;
  /** Kernel threads per job. */
  threads?: number;
  backend?: BackendChoice;
  /** Every message of every job's process. */
  onMessage?: (job: SweepJob, m: FromChild) => void;
  /** When a job ends: its outcome, or its failure. */
  onEnd?: (job: SweepJob, r: JobOutcome | JobFailure) => void;
}

export interface LocalSweep {
  /** One entry per job: its outcome, its failure, or null when the sweep stopped before it started. */
  result: Promise<(JobOutcome | JobFailure | null)[]>;
  /** Starts no new job and asks the running ones to stop with a checkpoint. */
  stop(): void;
}

export function runLocalSweep(jobs: readonly SweepJob[], o: LocalSweepOptions): LocalSweep {
  const results: (JobOutcome | JobFailure | null)[] = jobs.map(() => null);
  const running = new Set<JobProcess>();
  let next = 0, stopping = false;
  const lane = async (): Promise<void> => {
    while (!stopping && next < jobs.length) {
      const i = next++, job = jobs[i]!;
      const p = forkJob(job, join(o.runs, job.name), { threads: o.threads, backend: o.backend, onMessage: (m) => o.onMessage?.(job, m) });
      running.add(p);
      try {
        results[i] = await p.result;
      } catch (e) {
        results[i] = e instanceof JobFailure ? e : new JobFailure(String(e), true);
      }
      running.delete(p);
      o.onEnd?.(job, results[i]!);
    }
  };
  const lanes = Array.from({ length: Math.min(o.workers, jobs.length) }, lane);
  return {
    result: Promise.all(lanes).then(() => results),
    stop: () => {
      stopping = true;
      for (const p of running) p.stop();
    },
  };
}
