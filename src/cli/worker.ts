/**
 * `softac worker`: takes jobs of a queued sweep (`softac sweep --queue`) and trains them,
 * each in a child process, under a runs root that every worker shares. Parsing and
 * printing only: the worker is src/train/sweep/queue.ts.
 */
import { parseArgs } from 'node:util';

import { defaultQueueName, parseQueueUrl, startWorker } from '../train/sweep/queue.js';
import { whileStoppable } from './signals.js';
import { backendFlag, UsageError } from './usage.js';

export const workerUsage = `usage: softac worker --queue redis://HOST:6379/0 --runs DIR [--concurrency N] [--threads N]
                     [--backend B] [--queue-name NAME] [--lock-ms MS] [--max-stalls N]
                     [--name NAME] [--exit-when-empty]

Takes jobs of a sweep put on the queue by \`softac sweep --queue\` and trains each, in a
process of its own, into DIR/<job> (DIR is shared by the machines: an NFS mount, say).
Each epoch is reported to the job's progress (\`softac sweep status --queue URL\`).

  --queue URL          the Redis of the sweep's queue (a password in it is never printed)
  --runs DIR           the shared runs root
  --concurrency N      jobs at a time [1]
  --threads N          kernel threads per job [cores / concurrency]
  --queue-name NAME    [${defaultQueueName}]
  --lock-ms MS         a job's lock, renewed while it trains; a job whose worker died goes
                       to another worker about this long after [30000]
  --max-stalls N       times a job may be handed on from a dead worker before it fails [5]
  --name NAME          this worker in job progress [host:pid]
  --exit-when-empty    exit once no job is waiting, delayed or running (start it after the
                       sweep is queued)

Ctrl-C or SIGTERM stops each running job with a checkpoint and puts it back on the queue,
where another worker resumes it; a second one exits at once (the last epoch's files stay).
`;

function int(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got '${raw}'`);
  return n;
}

export async function workerCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: {
    queue: { type: 'string' }, runs: { type: 'string' }, concurrency: { type: 'string' }, threads: { type: 'string' }, backend: { type: 'string' },
    'queue-name': { type: 'string' }, 'lock-ms': { type: 'string' }, 'max-stalls': { type: 'string' }, name: { type: 'string' },
    'exit-when-empty': { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
  } });
  if (values.help) {
    process.stdout.write(workerUsage);
    return;
  }
  if (positionals.length) throw new UsageError(`worker: unexpected argument '${positionals[0]}'`);
  if (values.queue === undefined) throw new UsageError('worker: --queue must be given (the Redis URL of the sweep, such as redis://host:6379/0)');
  if (values.runs === undefined) throw new UsageError('worker: --runs must be given (the runs root every worker shares)');
  let queue;
  try {
    queue = parseQueueUrl('--queue', values.queue);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const backend = backendFlag(values.backend);
  const concurrency = int('--concurrency', values.concurrency, 1, 256) ?? 1;
  const { availableParallelism } = await import('node:os');
  const w = await startWorker({
    queue, queueName: values['queue-name'] ?? defaultQueueName, runs: values.runs, concurrency,
    threads: int('--threads', values.threads, 1, 256) ?? Math.max(1, Math.floor(availableParallelism() / concurrency)), backend,
    lockMs: int('--lock-ms', values['lock-ms'], 500, 3_600_000) ?? 30_000, maxStalls: int('--max-stalls', values['max-stalls'], 1, 1000) ?? 5,
    name: values.name, exitWhenEmpty: values['exit-when-empty'],
    log: (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  const signal = await whileStoppable(async (stopSignal) => {
    const poll = setInterval(() => {
      if (stopSignal()) void w.stop();
    }, 50);
    try {
      await w.closed;
    } finally {
      clearInterval(poll);
    }
    return stopSignal();
  });
  console.log(`${new Date().toISOString()} worker ${w.name}: closed${signal ? ` (${signal})` : ''}`);
  if (signal) process.exitCode = 130;
}
