/**
 * A sweep job in a child process of its own (child.ts): each job gets its own kernels and
 * thread count, and a parent that stays responsive (a queue worker renews its locks while
 * the child trains). The child runs in a process group of its own, so a Ctrl-C at the
 * terminal reaches the parent only, which then asks each child to stop with a checkpoint.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { BackendChoice } from '../../kernels/index.js';
import type { JobOutcome } from './job.js';
import type { SweepJob } from './plan.js';
import type { FromChild, ToChild } from './protocol.js';

const childEntry = fileURLToPath(new URL('./child.js', import.meta.url));

/** A job that failed. retry: false when another try would fail the same way (JobError in the child). */
export class JobFailure extends Error {
  override name = 'JobFailure';
  constructor(message: string, readonly retry: boolean) {
    super(message);
  }
}

export interface JobProcess {
  child: ChildProcess;
  /** Resolves with the outcome; rejects with a JobFailure. */
  result: Promise<JobOutcome>;
  /** Asks the child to stop between two steps and checkpoint (result then has state 'stopped'). */
  stop(): void;
}

export interface ForkOptions {
  threads?: number;
  backend?: BackendChoice;
  /** Every message from the child, as it comes. */
  onMessage?: (m: FromChild) => void;
}

export function forkJob(job: SweepJob, dir: string, o: ForkOptions = {}): JobProcess {
  const child = fork(childEntry, [], { detached: true, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [], serialization: 'advanced' });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-2000);
  });
  let end: JobOutcome | null = null, error: FromChild & { type: 'error' } | null = null;
  const result = new Promise<JobOutcome>((resolve, reject) => {
    child.on('message', (m: FromChild) => {
      if (m.type === 'end') end = { state: m.state, epochsDone: m.epochsDone, testReturn: m.testReturn };
      if (m.type === 'error') error = m;
      o.onMessage?.(m);
    });
    child.on('error', (e) => reject(new JobFailure(`the job's process: ${e.message}`, true)));
    // 'close', not 'exit': 'exit' can come before the last IPC messages are read (seen
    // under load: a job's 'end' arrived after its exit, and the finished job was counted as
    // failed); 'close' waits for the IPC channel too, so every message is in by then.
    child.on('close', (code, signal) => {
      if (error) reject(new JobFailure(error.message, error.retry));
      else if (end && code === 0) resolve(end);
      else {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        reject(new JobFailure(`the job's process ended with ${signal ?? `status ${code}`} before finishing${tail ? `: ${tail}` : ''}`, true));
      }
    });
  });
  const send = (m: ToChild) => {
    if (child.connected) child.send(m);
  };
  send({ type: 'run', job, dir, threads: o.threads, backend: o.backend });
  return { child, result, stop: () => send({ type: 'stop' }) };
}
