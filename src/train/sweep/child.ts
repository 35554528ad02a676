/**
 * The child process of one sweep job (forked by process.ts): receives the job, runs it with
 * runJob and reports its start, steps (at most a few a second), epochs and end. A 'stop'
 * message ends it between two steps with a checkpoint. If the parent dies (its IPC channel
 * closes), the child exits at once without writing: the last epoch's files are complete,
 * and whoever takes the job next resumes from them.
 */
import { exitAfter } from '../../kernels/index.js';
import { JobError, runJob } from './job.js';
import type { FromChild, ToChild } from './protocol.js';

let stop = false;
let lastStep = 0;

const send = (m: FromChild) => new Promise<void>((resolve) => {
  if (!process.connected) return resolve();
  process.send!(m, undefined, {}, () => resolve());
});

/** Exits with `code` once the last message is out (with the native backstop of Node's exit, as the CLI does). */
function exit(code: number): void {
  exitAfter(5000, code);
  process.exit(code);
}

process.on('disconnect', () => exit(70));
// Signals are the parent's to handle: it sends 'stop' (this process is in a group of its own).
process.on('SIGINT', () => undefined);

process.on('message', (m: ToChild) => {
  if (m.type === 'stop') {
    stop = true;
    return;
  }
  runJob(m.job, m.dir, {
    threads: m.threads,
    backend: m.backend,
    shouldStop: () => stop,
    onStart: (t, total, epochsDone, warnings) => void send({ type: 'start', t, total, epochsDone, warnings }),
    onStep: (t, total) => {
      const now = performance.now();
      if (now - lastStep < 250) return;
      lastStep = now;
      void send({ type: 'step', t, total });
    },
    onEpoch: (s, epochs) => void send({ type: 'epoch', epoch: s.epoch, epochs, steps: s.totalEnvInteracts, testReturn: s.testEpRet.average }),
  }).then(
    async (o) => {
      await send({ type: 'end', ...o });
      exit(0);
    },
    async (e: unknown) => {
      await send({ type: 'error', message: (e as Error)?.message ?? String(e), retry: !(e instanceof JobError) });
      exit(1);
    },
  );
});
