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

import * as is from '../check/is.js';
import type { NamedTensor } from '../io/safetensors.js';
import { getKernels } from '../kernels/index.js';
import { optionKeys, resolveOptions, type SacOptions } from '../sac/options.js';
import { Policy } from '../sac/policy.js';
import type { EpochStats } from './epoch-logger.js';
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
  /**
   * readonly warnings: what `softac train` would print as warnings when the run started
   * (a resumed run on another SIMD path, or one whose env cannot be restored mid-episode).
   */
  private settled = false;
  private readonly waiting: (() => void)[] = [];

  /** @internal use trainInWorker */
  constructor(private readonly worker: Worker, readonly policy: Policy, private readonly names: string[], private readonly shapes: number[][],
    readonly totalSteps: number, readonly inexact: string | null, readonly warnings: readonly string[], done: Promise<TrainSummary>) {
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
  try {
    checkWorkerOptions(options);
  } catch (e) {
    return Promise.reject(e);
  }
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
        // The live policy runs on the worker's backend (a resumed run's is its checkpoint's).
        const policy = Policy.fromStateDict(dictOf(m.names, m.shapes, m.pi), { bounds: m.bounds, kernels: getKernels(m.backend) });
        run = new TrainingRun(worker, policy, m.names, m.shapes, m.totalSteps, m.inexact, m.warnings, done);
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

const WORKER_KEYS = ['env', 'options', 'seed', 'backend', 'threads', 'out', 'renderEvery', 'resume', 'epochs', 'policyEvery'] as const;
/** What a resumed run takes from its checkpoint, so these cannot come with resume. */
const FROM_CHECKPOINT = ['env', 'options', 'seed', 'backend', 'out', 'renderEvery'] as const;

/**
 * trainInWorker's options, checked on the calling thread before a worker starts: unknown
 * or misplaced keys (a SacOptions field belongs in options), types and ranges, and the
 * keys that only make sense with (epochs) or without (the run's settings) resume.
 */
function checkWorkerOptions(o: unknown): asserts o is WorkerTrainOptions {
  const where = 'trainInWorker';
  is.plainObject(`${where}: options`, o);
  is.knownKeys(where, o, WORKER_KEYS, '', { 'options.': optionKeys });
  const subject = (key: string) => `${where}: option '${key}'`;
  if (o.resume !== undefined) {
    is.string(subject('resume'), o.resume);
    const clash = FROM_CHECKPOINT.find((key) => o[key] !== undefined);
    if (clash) throw new TypeError(`${where}: option '${clash}' cannot be given with 'resume': a resumed run keeps its checkpoint's settings (only epochs, threads and policyEvery may be given with it)`);
  } else if (o.epochs !== undefined) {
    throw new TypeError(`${where}: option 'epochs' extends a resumed run and needs 'resume'; for a new run give options.epochs`);
  }
  if (o.env !== undefined) is.string(subject('env'), o.env);
  if (o.options !== undefined) resolveOptions(o.options as Partial<SacOptions>, where, 'options.', { '': WORKER_KEYS });
  if (o.seed !== undefined) is.integer(subject('seed'), o.seed, 0, 0xffffffff);
  if (o.backend !== undefined) is.oneOf(subject('backend'), o.backend, ['js', 'native', 'wasm', 'auto']);
  if (o.threads !== undefined) is.integer(subject('threads'), o.threads, 1, 256);
  if (o.out !== undefined && o.out !== null) if (typeof o.out !== 'string') throw is.invalidParameterError(subject('out'), 'a directory path or null', o.out, 'type');
  if (o.renderEvery !== undefined) {
    is.integer(subject('renderEvery'), o.renderEvery, 1);
    if (o.out === null) throw new TypeError(`${where}: option 'renderEvery' writes replay.html into the run directory, so it cannot be given with out: null`);
  }
  if (o.epochs !== undefined) is.integer(subject('epochs'), o.epochs, 1);
  if (o.policyEvery !== undefined) is.integer(subject('policyEvery'), o.policyEvery, 1);
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
