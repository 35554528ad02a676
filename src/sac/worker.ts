/**
 * Training that never blocks the event loop: trainInWorker runs the Trainer in a
 * worker_thread and hands back a TrainingRun. It emits 'epoch' and 'progress', keeps a
 * live Policy on the main thread (refreshed with the worker's weights after every epoch,
 * every policyEvery steps, or on refreshPolicy()), and stop() checkpoints and resolves.
 *
 *   const run = await trainInWorker({ env: 'Pendulum-v1', out: 'runs/live' });
 *   run.on('epoch', (s) => console.log(s.epoch, s.testEpRet.average));
 *   http.createServer((req, res) => res.end(String(run.policy.act(obsOf(req))[0])));
 *   const summary = await run.done;  // or: await run.stop()
 *
 * The worker's results do not depend on what the main thread does: the kernels give the
 * same bits whatever the thread count, and a busy pool makes a caller run its own tasks,
 * so a main-thread act() during a worker's GEMM changes who computes, never what.
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';

import type { NamedTensor } from '../io/safetensors.js';
import { getKernels } from '../kernels/index.js';
import { Policy } from './policy.js';
import type { EpochStats } from './train.js';
import type { FromWorker, ToWorker, TrainSummary, WorkerTrainOptions } from './worker-protocol.js';

export type { TrainSummary, WorkerTrainOptions } from './worker-protocol.js';

export interface TrainingRunEvents {
  epoch: [EpochStats];
  progress: [{ t: number; total: number }];
  /** The live policy has new weights, from env step t. */
  policy: [{ t: number }];
}

export class TrainingRun extends EventEmitter<TrainingRunEvents> {
  /** Resolves with the summary when training ends (or is stopped); rejects with the worker's error. */
  readonly done: Promise<TrainSummary>;
  /** Env steps done, as last reported. */
  t = 0;
  private settled = false;
  private readonly waiting: (() => void)[] = [];

  /** @internal use trainInWorker */
  constructor(private readonly worker: Worker, readonly policy: Policy, private readonly names: string[], private readonly shapes: number[][],
    readonly totalSteps: number, readonly inexact: string | null, done: Promise<TrainSummary>) {
    super();
    this.done = done.finally(() => {
      this.settled = true;
    });
  }

  /** @internal */
  handle(m: FromWorker): void {
    if (m.type === 'progress') {
      this.t = m.t;
      this.emit('progress', { t: m.t, total: m.total });
    } else if (m.type === 'epoch') {
      this.emit('epoch', m.stats);
    } else if (m.type === 'policy') {
      this.loadPolicy(m.pi);
      this.t = Math.max(this.t, m.t);
      this.emit('policy', { t: m.t });
      for (const w of this.waiting.splice(0)) w();
    }
  }

  /** @internal copies the pi.* weights (one flat block, the actor's layout) into the live policy, checked. */
  loadPolicy(flat: Float32Array): void {
    this.policy.loadStateDict(dictOf(this.names, this.shapes, flat));
  }

  /** Asks the worker for its current weights; resolves once the live policy has them. */
  refreshPolicy(): Promise<void> {
    if (this.settled) return Promise.resolve();
    const got = new Promise<void>((resolve) => this.waiting.push(resolve));
    this.worker.postMessage({ type: 'policy' } satisfies ToWorker);
    return Promise.race([got, this.done.then(() => undefined, () => undefined)]);
  }

  /** Stops between two env steps, writes the checkpoint (unless out: null) and resolves with the summary. */
  stop(): Promise<TrainSummary> {
    if (!this.settled) this.worker.postMessage({ type: 'stop' } satisfies ToWorker);
    return this.done;
  }
}

/**
 * Starts training in a worker thread; resolves once the worker has built the agent (a
 * bad option, env or checkpoint rejects here, with the worker's message).
 */
export function trainInWorker(options: WorkerTrainOptions = {}): Promise<TrainingRun> {
  if (options === null || typeof options !== 'object') throw new TypeError(`trainInWorker: options must be an object, got ${String(options)}`);
  const worker = new Worker(new URL('./worker-entry.js', import.meta.url), { workerData: options });
  return new Promise<TrainingRun>((resolveRun, rejectRun) => {
    let run: TrainingRun | null = null;
    let resolveDone!: (s: TrainSummary) => void, rejectDone!: (e: Error) => void;
    const done = new Promise<TrainSummary>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    const fail = (e: Error) => {
      if (run) rejectDone(e);
      else rejectRun(e);
    };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        const policy = Policy.fromStateDict(dictOf(m.names, m.shapes, m.pi), { bounds: m.bounds, kernels: getKernels(options.backend ?? 'auto') });
        run = new TrainingRun(worker, policy, m.names, m.shapes, m.totalSteps, m.inexact, done);
        run.t = m.t;
        done.catch(() => undefined); // a rejection is the caller's to see through run.done
        resolveRun(run);
      } else if (m.type === 'done') {
        worker.unref(); // the run is over: a worker still shutting down never keeps the host alive
        resolveDone(m.summary);
      } else if (m.type === 'error') {
        worker.unref();
        const e = new Error(m.message);
        e.name = m.name;
        fail(e);
      } else {
        run?.handle(m);
      }
    });
    worker.on('error', (e) => fail(e));
    worker.on('exit', (code) => fail(new Error(`trainInWorker: the worker exited (code ${code}) before it finished`)));
  });
}

/** The named views of one flat block of actor weights (the worker's pi.* slice, in actorSpecs order). */
function dictOf(names: readonly string[], shapes: readonly number[][], flat: Float32Array): Map<string, NamedTensor> {
  const dict = new Map<string, NamedTensor>();
  let off = 0;
  names.forEach((name, i) => {
    const shape = shapes[i]!, n = shape.reduce((a, b) => a * b, 1);
    dict.set(name, { shape, data: flat.subarray(off, off + n) });
    off += n;
  });
  if (off !== flat.length) throw new RangeError(`trainInWorker: the worker sent ${flat.length} policy weights, the actor has ${off}`);
  return dict;
}
