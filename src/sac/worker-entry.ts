/**
 * The worker side of trainInWorker: builds (or restores) a Trainer from the options in
 * workerData and runs it with runAsync, so stop and policy requests are seen between
 * slices of steps. Epochs, progress and fresh policy weights go to the main thread as
 * messages; the run directory, when there is one, is written exactly as the CLI writes it.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { envSpecOf, loadEnvFactory } from '../envs/load.js';
import { defaultRunDir, openRunToResume, RunDir } from '../io/run-dir.js';
import { getKernels } from '../kernels/index.js';
import { RunLogger } from './logger.js';
import { actorSpecs } from './core.js';
import { type EpochStats, Trainer } from './train.js';
import type { FromWorker, ToWorker, WorkerTrainOptions } from './worker-protocol.js';

const port = parentPort!;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

async function main(o: WorkerTrainOptions): Promise<void> {
  let stop = false, policyWanted = false;
  port.on('message', (m: ToWorker) => {
    if (m.type === 'stop') stop = true;
    else if (m.type === 'policy') policyWanted = true;
  });
  const k = getKernels(o.backend ?? 'auto');
  if (o.threads !== undefined) k.setNumThreads(o.threads);
  const info = k.info();
  const kernels = { backend: info.backend, path: info.path ?? null };
  let lastProgress = 0, lastPolicy = 0;
  let trainer: Trainer;
  let logger: RunLogger | null = null;
  const piCopy = () => trainer.agent.params.slice('pi.').data.slice();
  const sendPolicy = () => {
    const pi = piCopy();
    post({ type: 'policy', t: trainer.t, pi }, [pi.buffer as ArrayBuffer]);
    lastPolicy = trainer.t;
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
      logger?.epoch(stats);
      post({ type: 'epoch', stats });
      sendPolicy();
    },
  };
  let envSpec: string;
  if (o.resume !== undefined) {
    const opened = openRunToResume(o.resume, 'resume');
    const { run, checkpoint, envName } = opened;
    envSpec = opened.envSpec;
    trainer = Trainer.restore({ k, makeEnv: await loadEnvFactory(envSpec), envName, epochs: o.epochs }, checkpoint, cb);
    logger = new RunLogger(run, trainer, { envSpec, kernels });
  } else {
    const envName = o.env ?? 'Pendulum-v1';
    envSpec = envSpecOf(envName);
    trainer = new Trainer({ k, makeEnv: await loadEnvFactory(envName), envName, options: o.options, seed: o.seed ?? 0 }, cb);
    if (o.out !== null) {
      const run = new RunDir(o.out ?? defaultRunDir(envName));
      run.writeConfig({ env: envName, envSpec, seed: o.seed ?? 0, backend: info.backend, path: info.path, threads: info.threads, options: trainer.agent.opts });
      logger = new RunLogger(run, trainer, { envSpec, kernels });
    }
  }
  const specs = actorSpecs(trainer.agent.sizes);
  const pi = piCopy();
  post({ type: 'ready', sizes: trainer.agent.sizes, bounds: { low: [...trainer.agent.bounds.low], high: [...trainer.agent.bounds.high] },
    names: specs.map((s) => s.name), shapes: specs.map((s) => [...s.shape]), pi, t: trainer.t, totalSteps: trainer.totalSteps, inexact: trainer.inexact }, [pi.buffer as ArrayBuffer]);
  const { stopped } = await trainer.runAsync({
    shouldStop: () => {
      if (policyWanted) {
        policyWanted = false;
        sendPolicy();
      }
      return stop;
    },
  });
  if (stopped) logger?.checkpoint();
  post({ type: 'done', summary: { steps: trainer.t, totalSteps: trainer.totalSteps, stopped, epochs: trainer.epochs, runDir: logger?.run.dir ?? null } });
  port.close(); // nothing more to hear: let the worker end
}

main(workerData as WorkerTrainOptions).catch((e: unknown) => {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', name: err.name, message: err.message });
  port.close();
});
