/**
 * A sweep on many machines, on BullMQ (a job queue on Redis): `softac sweep --queue URL`
 * adds each job once (its run directory's name is its job id), and `softac worker` takes
 * jobs and trains each in a child process (process.ts) under a runs root that the machines
 * share. A worker that dies mid-job stops renewing the job's lock; BullMQ's stalled-job
 * check then hands the job to another worker, which resumes it from its last checkpoint.
 * A job that fails for a real reason (a JobError: a bad env, a NaN) fails at once with its
 * error; any other failure is retried a few times.
 *
 * bullmq (and its Redis client, ioredis) is an optional peer dependency: it is imported
 * here, on first use, and nowhere else, so a local sweep and every other command need it
 * not. A password in the Redis URL never leaves this file: every message and log line
 * goes through redact().
 */
import { hostname } from 'node:os';
import { join } from 'node:path';

// Types only: erased from the JavaScript, so importing this file does not load bullmq.
import type { Job } from 'bullmq';

import type { BackendChoice } from '../../kernels/index.js';
import { checkJob, type SweepJob } from './plan.js';
import { forkJob, JobFailure, type JobProcess } from './process.js';

type Bullmq = typeof import('bullmq');

/** A Redis URL, checked, with the forms of it that may be shown. */
export interface QueueUrl {
  url: string;
  /** The URL with its password replaced by ***. */
  shown: string;
  secrets: string[];
}

export const defaultQueueName = 'softac-sweep';

/** redis://[user:password@]host[:port][/db] (or rediss:// for TLS), checked; the password is kept out of every message. */
export function parseQueueUrl(subject: string, raw: string): QueueUrl {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // Not shown: where the password would be in a string that is not a URL is anyone's guess.
    throw new RangeError(`${subject} must be a Redis URL such as redis://host:6379/0, got a string that is not a URL (not shown, as it may hold a password)`);
  }
  const secrets = u.password ? [u.password, decodeURIComponent(u.password)] : [];
  const shown = u.password ? raw.split(u.password).join('***') : raw;
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new RangeError(`${subject} must be a Redis URL (redis:// or rediss://), got ${JSON.stringify(shown)}`);
  if (!u.hostname) throw new RangeError(`${subject} must name a host, got ${JSON.stringify(shown)}`);
  if (u.pathname !== '' && u.pathname !== '/' && !/^\/\d+$/.test(u.pathname)) throw new RangeError(`${subject} must end in a database number (/0), got ${JSON.stringify(shown)}`);
  return { url: raw, shown, secrets: secrets.filter((s) => s.length > 0) };
}

/** `text` with the URL's password (raw and decoded) replaced by ***. */
export function redact(q: QueueUrl, text: string): string {
  let out = text;
  for (const s of q.secrets) out = out.split(s).join('***');
  return out;
}

async function bullmq(): Promise<Bullmq> {
  try {
    return await import('bullmq');
  } catch (e) {
    throw new Error(`--queue and softac worker need the bullmq package (an optional peer dependency): npm install bullmq ioredis (${(e as Error).message})`);
  }
}

/** ioredis settings for a command that should fail, not wait for ever, when Redis is away. */
const shortLived = (q: QueueUrl) => ({ url: q.url, maxRetriesPerRequest: 1, connectTimeout: 5000, retryStrategy: (n: number) => (n > 3 ? null : 300) });

/** Runs `body` with a Queue, closing it after; an unreachable Redis is an error that says so. */
async function openQueue(q: QueueUrl, name: string) {
  const { Queue } = await bullmq();
  return new Queue(name, { connection: shortLived(q) });
}

async function withQueue<T>(q: QueueUrl, name: string, body: (queue: Awaited<ReturnType<typeof openQueue>>) => Promise<T>): Promise<T> {
  const queue = await openQueue(q, name);
  let lastError = '';
  queue.on('error', (e: Error) => (lastError = e.message));
  try {
    return await withTimeout(body(queue), 20_000, () => `no answer from Redis at ${q.shown} in 20 s${lastError ? ` (${lastError})` : ''}`);
  } catch (e) {
    throw new Error(redact(q, `queue ${name} at ${q.shown}: ${(e as Error).message}`));
  } finally {
    await queue.close().catch(() => undefined);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, why: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(why())), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** How each job ended up in the queue: added, already there (waiting, running or done), or failed before and added again. */
export interface Enqueued {
  added: string[];
  present: string[];
  retried: string[];
}

/**
 * Adds the jobs, each under its run directory's name as job id, so adding a sweep twice adds
 * nothing twice. A job that failed before is retried; one queued with other options is an
 * error (its name says the same settings, so its fixed options changed).
 */
export async function enqueueJobs(q: QueueUrl, name: string, jobs: readonly SweepJob[]): Promise<Enqueued> {
  return withQueue(q, name, async (queue) => {
    const out: Enqueued = { added: [], present: [], retried: [] };
    const fresh: SweepJob[] = [];
    for (const job of jobs) {
      const old = await queue.getJob(job.name);
      if (!old) {
        fresh.push(job);
        continue;
      }
      if (JSON.stringify(old.data) !== JSON.stringify(job)) {
        throw new Error(`the queue already holds job ${job.name} with other options; give another --queue-name, or remove the old job`);
      }
      if (await old.isFailed()) {
        await old.retry('failed');
        out.retried.push(job.name);
      } else out.present.push(job.name);
    }
    await queue.addBulk(fresh.map((job) => ({
      name: 'train', data: job,
      opts: { jobId: job.name, attempts: 3, backoff: { type: 'exponential', delay: 10_000 }, removeOnComplete: false, removeOnFail: false },
    })));
    out.added.push(...fresh.map((j) => j.name));
    return out;
  });
}

/** What a worker reports into a job's progress. */
export interface JobProgress {
  epoch: number;
  epochs: number;
  steps: number;
  testReturn: number | null;
  worker: string;
}

export interface QueuedJobRow {
  name: string;
  state: string;
  progress: Partial<JobProgress>;
  error: string | null;
  attempts: number;
}

const STATES = ['active', 'waiting', 'prioritized', 'delayed', 'waiting-children', 'completed', 'failed'] as const;

/** Every job of the queue with its state, its last reported progress and its error. */
export async function queueStatus(q: QueueUrl, name: string): Promise<QueuedJobRow[]> {
  return withQueue(q, name, async (queue) => {
    const rows: QueuedJobRow[] = [];
    for (const state of STATES) {
      for (const job of await queue.getJobs([state], 0, -1)) {
        if (!job) continue;
        const p = typeof job.progress === 'object' && job.progress !== null ? job.progress as Partial<JobProgress> : {};
        rows.push({ name: job.id ?? job.name, state, progress: p, error: job.failedReason ? redact(q, job.failedReason) : null, attempts: job.attemptsMade });
      }
    }
    return rows.sort((a, b) => a.name.localeCompare(b.name));
  });
}

export interface WorkerOptions {
  queue: QueueUrl;
  queueName: string;
  /** The runs root, shared by every worker (an NFS mount, say). */
  runs: string;
  /** Jobs this worker trains at a time, each in its own process. */
  concurrency: number;
  /** Kernel threads per job. */
  threads?: number;
  backend?: BackendChoice;
  /** How long a job's lock lasts without renewal (ms): a dead worker's job is handed on after about this long. */
  lockMs: number;
  /** Times a job may be handed on from a dead worker before it is failed. */
  maxStalls: number;
  /** This worker's name in job progress (default host:pid). */
  name?: string;
  /** Close once the queue has no job waiting, delayed or running. */
  exitWhenEmpty: boolean;
  /** One line per event, passwords redacted. */
  log: (line: string) => void;
}

export interface QueueWorker {
  name: string;
  /** Resolves when the worker has closed. */
  closed: Promise<void>;
  /** Stops taking jobs; each running one stops with a checkpoint and goes back to the queue. */
  stop(): Promise<void>;
}

const fmt = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(1) : '-');

export async function startWorker(o: WorkerOptions): Promise<QueueWorker> {
  const { Worker, Queue, UnrecoverableError, WaitingError } = await bullmq();
  const name = o.name ?? `${hostname()}:${process.pid}`;
  const log = (line: string) => o.log(redact(o.queue, line));
  const running = new Set<JobProcess>();
  let stopping = false;

  const processor = async (job: Job<unknown>, token?: string) => {
    let sj: SweepJob;
    try {
      sj = checkJob(`job ${job.id}`, job.data);
    } catch (e) {
      log(`job ${job.id}: failed (not retried): ${(e as Error).message}`);
      throw new UnrecoverableError(redact(o.queue, (e as Error).message));
    }
    const dir = join(o.runs, sj.name);
    const progress: JobProgress = { epoch: 0, epochs: sj.options.epochs, steps: 0, testReturn: null, worker: name };
    const report = () => void job.updateProgress({ ...progress }).catch(() => undefined);
    report();
    const p = forkJob(sj, dir, {
      threads: o.threads, backend: o.backend,
      onMessage: (m) => {
        if (m.type === 'start') {
          progress.epoch = m.epochsDone;
          log(`${sj.name}: ${m.t > 0 ? `resuming at step ${m.t} of ${m.total}` : 'starting'} in ${dir} (process ${p.child.pid})`);
          for (const w of m.warnings) log(`${sj.name}: warning: ${w}`);
          report();
        } else if (m.type === 'epoch') {
          Object.assign(progress, { epoch: m.epoch, steps: m.steps, testReturn: m.testReturn });
          log(`${sj.name}: epoch ${m.epoch}/${m.epochs}, test return ${fmt(m.testReturn)}`);
          report();
        }
      },
    });
    running.add(p);
    if (stopping) p.stop();
    try {
      const r = await p.result;
      if (r.state === 'stopped') {
        // Handed back at once (not left to the stalled-job check): this worker is stopping.
        log(`${sj.name}: stopped at epoch ${r.epochsDone} with a checkpoint; back in the queue`);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      log(`${sj.name}: ${r.state === 'skipped' ? 'done already' : 'done'}, test return ${fmt(r.testReturn)}`);
      Object.assign(progress, { epoch: r.epochsDone, steps: r.epochsDone * sj.options.stepsPerEpoch, testReturn: r.testReturn });
      await job.updateProgress({ ...progress }).catch(() => undefined);
      return { epochs: r.epochsDone, testReturn: r.testReturn, worker: name };
    } catch (e) {
      if (e instanceof WaitingError) throw e;
      const f = e instanceof JobFailure ? e : new JobFailure((e as Error).message, true);
      log(`${sj.name}: failed${f.retry ? '' : ' (not retried)'}: ${f.message}`);
      throw f.retry ? new Error(redact(o.queue, f.message)) : new UnrecoverableError(redact(o.queue, f.message));
    } finally {
      running.delete(p);
    }
  };

  const connection = { url: o.queue.url, maxRetriesPerRequest: null };
  const worker = new Worker(o.queueName, processor, {
    connection, concurrency: o.concurrency, name, lockDuration: o.lockMs, stalledInterval: o.lockMs, maxStalledCount: o.maxStalls, autorun: false,
  });
  let lastError = 0;
  worker.on('error', (e: Error) => {
    // While Redis is away ioredis reports every reconnection attempt; one line every 5 s is enough.
    if (Date.now() - lastError < 5000) return;
    lastError = Date.now();
    log(`Redis: ${e.message} (retrying)`);
  });
  worker.on('stalled', (id: string) => log(`${id}: its worker stopped answering; the job goes back to the queue`));

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const p of running) p.stop();
    await worker.close();
  };

  let watcher: NodeJS.Timeout | undefined;
  if (o.exitWhenEmpty) {
    const counts = new Queue(o.queueName, { connection: { url: o.queue.url, maxRetriesPerRequest: null } });
    counts.on('error', () => undefined);
    const check = async () => {
      const c = await counts.getJobCounts('waiting', 'active', 'delayed', 'prioritized').catch(() => null);
      if (c && Object.values(c).every((n) => n === 0)) {
        log('the queue is empty; closing');
        clearInterval(watcher);
        await stop();
      }
    };
    watcher = setInterval(() => void check(), Math.max(500, Math.min(o.lockMs, 5000)));
    void worker.waitUntilReady().then(() => undefined, () => undefined);
    const closeCounts = () => counts.close().catch(() => undefined);
    worker.on('closed', () => {
      clearInterval(watcher);
      void closeCounts();
    });
  }
  const closed = new Promise<void>((resolve) => worker.on('closed', () => resolve()));
  void worker.run().catch((e: Error) => log(`worker: ${e.message}`));
  log(`worker ${name}: queue ${o.queueName} at ${o.queue.shown}, runs under ${o.runs}, ${o.concurrency} job(s) at a time`);
  return { name, closed, stop };
}
