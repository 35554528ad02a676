/**
 * The worker side of trainInWorker: starts or resumes the run with startRun / resumeRun
 * (the same steps as `softac train`) and trains it with runAsync, so stop and policy
 * requests are seen between slices of steps. Epochs, progress and fresh policy weights go
 * to the main thread as messages; a stop writes the checkpoint and the model, as the CLI's.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { actorSpecs } from '../sac/core.js';
import type { EpochStats } from './epoch-logger.js';
import { defaultRunDir } from './run-dir.js';
import { type Run, resumeRun, startRun, stopRun } from './run.js';
import type { FromWorker, ToWorker, WorkerTrainOptions } from './worker-protocol.js';

const port = parentPort!;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

async function main(o: WorkerTrainOptions): Promise<void> {
  let stop = false, policyWanted = false;
  port.on('message', (m: ToWorker) => {
    if (m.type === 'stop') stop = true;
    else if (m.type === 'policy') policyWanted = true;
  });
  let lastProgress = 0, lastPolicy = 0;
  let r: Run;
  const piCopy = () => r.trainer.agent.params.slice('pi.').data.slice();
  const sendPolicy = () => {
    const pi = piCopy();
    post({ type: 'policy', t: r.trainer.t, pi }, [pi.buffer as ArrayBuffer]);
    lastPolicy = r.trainer.t;
  };
  const cb = {
    onStep: (t: number, total: number) => {
      const now = performance.now();
      if (now - lastProgress > 100 || t === total) {
        lastProgress = now;
        post({ type: 'progress', t, total });
      }
      if (o.policyEvery && t - lastPolicy >= o.policyEvery) sendPolicy();
    },
    onEpoch: (stats: EpochStats) => {
      post({ type: 'epoch', stats });
      sendPolicy();
    },
  };
  if (o.resume !== undefined) {
    r = await resumeRun({ dir: o.resume, epochs: o.epochs, threads: o.threads, label: 'resume' }, cb);
  } else {
    const env = o.env ?? 'Pendulum-v1';
    r = await startRun({ env, options: o.options, seed: o.seed, backend: o.backend, threads: o.threads, out: o.out === undefined ? defaultRunDir(env) : o.out,
      renderEvery: o.renderEvery }, cb);
  }
  const { trainer } = r;
  const specs = actorSpecs(trainer.agent.sizes);
  const pi = piCopy();
  post({ type: 'ready', sizes: trainer.agent.sizes, bounds: { low: [...trainer.agent.bounds.low], high: [...trainer.agent.bounds.high] },
    names: specs.map((s) => s.name), shapes: specs.map((s) => [...s.shape]), pi, t: trainer.t, totalSteps: trainer.totalSteps, inexact: trainer.inexact,
    warnings: r.warnings, backend: r.kernels.info().backend }, [pi.buffer as ArrayBuffer]);
  const { stopped } = await trainer.runAsync({
    shouldStop: () => {
      if (policyWanted) {
        policyWanted = false;
        sendPolicy();
      }
      return stop;
    },
  });
  if (stopped) stopRun(r);
  post({ type: 'done', summary: { steps: trainer.t, totalSteps: trainer.totalSteps, stopped, epochs: trainer.epochs, runDir: r.logger?.run.dir ?? null } });
  port.close(); // nothing more to hear: let the worker end
}

main(workerData as WorkerTrainOptions).catch((e: unknown) => {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', name: err.name, message: err.message });
  port.close();
});
