/**
 * Every options object softac accepts refuses a misspelled key, a misplaced key and a value
 * of the wrong type, by name: a TypeError that says where the key was and the closest valid
 * key (a key that belongs in another object is pointed there).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { benchAutograd } from '../../bench/autograd.js';
import { benchKernels } from '../../bench/kernels.js';
import { benchLearn } from '../../bench/learn.js';
import { benchSac } from '../../bench/sac.js';
import { Tape } from '../../src/autograd/index.js';
import { knownKeys } from '../../src/check/is.js';
import { Pendulum } from '../../src/envs/index.js';
import { decodeSafetensors, loadSafetensors } from '../../src/io/safetensors.js';
import { referenceKernels as k } from '../../src/kernels/index.js';
import { Adam } from '../../src/nn/adam.js';
import { checkStateDict } from '../../src/nn/params.js';
import { resolveOptions } from '../../src/sac/options.js';
import { Policy } from '../../src/sac/policy.js';
import { SAC } from '../../src/sac/sac.js';
import { traceUpdate } from '../../src/trace/trace.js';
import { train, Trainer } from '../../src/train/loop.js';
import { trainInWorker } from '../../src/train/worker.js';

type Call = (o: Record<string, unknown>) => unknown;

/** A call with these options must fail with this kind of error and message (thrown or rejected). */
async function refuses(call: () => unknown, kind: ErrorConstructor, re: RegExp, label: string): Promise<void> {
  let err: unknown = null;
  try {
    await call();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof kind, `${label}: expected a ${kind.name}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  assert.match((err as Error).message, re, label);
}

const setup = { k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1' };
const sac = new SAC(k, 3, { low: [-2], high: [2] }, { hidden: [4] });
const policy = Policy.fromStateDict(sac.stateDict());
const noop = () => undefined;
const emptyCheckpoint = { tensors: new Map(), state: {} };

/**
 * name, how to call it with an options object, and its three bad cases: a misspelled key, a
 * misplaced key (one that belongs elsewhere), a wrong type; each with the message expected.
 */
const table: { name: string; call: Call; misspelled: [Record<string, unknown>, RegExp]; misplaced: [Record<string, unknown>, RegExp]; wrongType: [Record<string, unknown>, RegExp] }[] = [
  {
    name: 'trainInWorker',
    call: (o) => trainInWorker(o),
    misspelled: [{ sed: 1 }, /^trainInWorker: unknown option 'sed' \(did you mean seed\?\)$/],
    misplaced: [{ stepsPerEpoch: 1000 }, /^trainInWorker: unknown option 'stepsPerEpoch' \(did you mean options\.stepsPerEpoch\?\)$/],
    wrongType: [{ seed: '1' }, /^trainInWorker: option 'seed' must be an integer from 0 to 4294967295, got string "1"$/],
  },
  {
    name: 'trainInWorker options (SacOptions)',
    call: (o) => trainInWorker({ options: o, out: null }),
    misspelled: [{ epoch: 2 }, /^trainInWorker: unknown option 'options\.epoch' \(did you mean options\.epochs\?\)$/],
    misplaced: [{ seed: 1 }, /^trainInWorker: unknown option 'options\.seed' \(did you mean seed\?\)$/],
    wrongType: [{ epochs: '2' }, /^SAC option 'epochs' must be an integer from 1 to 1099511627776, got string "2"$/],
  },
  {
    name: 'SacOptions (new SAC, resolveOptions)',
    call: (o) => new SAC(k, 3, { low: [-1], high: [1] }, o),
    misspelled: [{ gama: 0.9 }, /^SAC options: unknown option 'gama' \(did you mean gamma\?\)$/],
    misplaced: [{ seed: 1 }, /^SAC options: unknown option 'seed' \(valid here: hidden, gamma, .*exploreHold\)$/],
    wrongType: [{ gamma: '0.9' }, /^SAC option 'gamma' must be a number in \[0, 1\], got string "0\.9"$/],
  },
  {
    name: 'train()',
    call: (o) => train({ ...setup, ...o }),
    misspelled: [{ envname: 'x' }, /^train: unknown option 'envname' \(did you mean envName\?\)$/],
    misplaced: [{ epochs: 2 }, /^train: unknown option 'epochs' \(did you mean options\.epochs\?\)$/],
    wrongType: [{ seed: 'x' }, /^train: 'seed' must be an integer from 0 to 4294967295, got string "x"$/],
  },
  {
    name: 'train() options (SacOptions)',
    call: (o) => train({ ...setup, options: o }),
    misspelled: [{ batchsize: 10 }, /^train: unknown option 'options\.batchsize' \(did you mean options\.batchSize\?\)$/],
    misplaced: [{ envName: 'Pendulum-v1' }, /^train: unknown option 'options\.envName' \(did you mean envName\?\)$/],
    wrongType: [{ hidden: 256 }, /^SAC option 'hidden' must be a list of 1 to 64 layer widths, each an integer from 1 to 65536, got 256$/],
  },
  {
    name: 'train() callbacks',
    call: (o) => train({ ...setup, options: { epochs: 1, stepsPerEpoch: 1 } }, o),
    misspelled: [{ onEpochs: noop }, /^train callbacks: unknown option 'onEpochs' \(did you mean onEpoch\?\)$/],
    misplaced: [{ shouldStop: noop }, /^train callbacks: unknown option 'shouldStop' \(valid here: onStep, onEpoch\)$/],
    wrongType: [{ onStep: 5 }, /^train: callback 'onStep' must be a function, got 5$/],
  },
  {
    name: 'new Trainer',
    call: (o) => new Trainer({ ...setup, ...o }),
    misspelled: [{ makeenv: noop }, /^Trainer: unknown option 'makeenv' \(did you mean makeEnv\?\)$/],
    misplaced: [{ hidden: [8] }, /^Trainer: unknown option 'hidden' \(did you mean options\.hidden\?\)$/],
    wrongType: [{ envName: 7 }, /^Trainer: 'envName' must be a string, got 7$/],
  },
  {
    name: 'Trainer.restore',
    call: (o) => Trainer.restore({ ...setup, ...o }, emptyCheckpoint),
    misspelled: [{ epoch: 3 }, /^Trainer\.restore: unknown option 'epoch' \(did you mean epochs\?\)$/],
    misplaced: [{ seed: 3 }, /^Trainer\.restore: unknown option 'seed' \(valid here: k, makeEnv, envName, epochs, onAgent\)$/],
    wrongType: [{ epochs: '3' }, /^Trainer\.restore: 'epochs' must be an integer >= 1, got string "3"$/],
  },
  {
    name: 'Trainer.runAsync',
    call: (o) => new Trainer({ ...setup, options: { epochs: 1, stepsPerEpoch: 1 } }).runAsync(o),
    misspelled: [{ sliceMS: 5 }, /^Trainer\.runAsync: unknown option 'sliceMS' \(did you mean sliceMs\?\)$/],
    misplaced: [{ onEpoch: noop }, /^Trainer\.runAsync: unknown option 'onEpoch' \(valid here: shouldStop, sliceMs\)$/],
    wrongType: [{ sliceMs: '5' }, /^Trainer\.runAsync: option 'sliceMs' must be a finite number >= 0, got string "5"$/],
  },
  {
    name: 'Policy.load',
    call: (o) => Policy.load('/nonexistent/model.safetensors', o),
    misspelled: [{ sead: 1 }, /^Policy\.load: unknown option 'sead' \(did you mean seed\?\)$/],
    misplaced: [{ deterministic: false }, /^Policy\.load: unknown option 'deterministic' \(valid here: bounds, seed, kernels, allowNonFinite\)$/],
    wrongType: [{ allowNonFinite: 'yes' }, /^Policy\.load: option 'allowNonFinite' must be a boolean, got string "yes"$/],
  },
  {
    name: 'Policy.fromStateDict',
    call: (o) => Policy.fromStateDict(sac.stateDict(), o),
    misspelled: [{ kernel: k }, /^Policy\.fromStateDict: unknown option 'kernel' \(did you mean kernels\?\)$/],
    misplaced: [{ low: [-1] }, /^Policy\.fromStateDict: unknown option 'low' \(valid here: bounds, seed, kernels, allowNonFinite\)$/],
    wrongType: [{ bounds: [-1, 1] }, /^Policy\.fromStateDict: option 'bounds' must be an object, got Array\(length 2\)$/],
  },
  {
    name: 'Policy.act',
    call: (o) => policy.act([0, 0, 0], o),
    misspelled: [{ determinstic: false }, /^act: unknown option 'determinstic' \(did you mean deterministic\?\)$/],
    misplaced: [{ seed: 1 }, /^act: unknown option 'seed' \(valid here: deterministic\)$/],
    wrongType: [{ deterministic: 'no' }, /^act: option 'deterministic' must be a boolean, got string "no"$/],
  },
  {
    name: 'traceUpdate',
    call: (o) => traceUpdate(k, new Map(), new Map(), o),
    misspelled: [{ act_limit: 2 }, /^traceUpdate: unknown option 'act_limit' \(did you mean actLimit\?\)$/],
    misplaced: [{ batchSize: 2 }, /^traceUpdate: unknown option 'batchSize' \(valid here: alpha, gamma, actLimit\)$/],
    wrongType: [{ alpha: '0.2' }, /^traceUpdate: option 'alpha' must be a finite number >= 0, got string "0\.2"$/],
  },
  {
    name: 'benchSac',
    call: (o) => benchSac({ seconds: 1, threads: [1], batches: [1], dims: [[3, 1]], js: false, pytorch: false, onPeak: noop, onRow: noop, onNote: noop, ...o }),
    misspelled: [{ batch: [1] }, /^benchSac: unknown option 'batch' \(did you mean batches\?\)$/],
    misplaced: [{ timeMs: 5 }, /^benchSac: unknown option 'timeMs' \(valid here: seconds, .*onNote\)$/],
    wrongType: [{ seconds: '1' }, /^benchSac: option 'seconds' must be a finite number >= 0, got string "1"$/],
  },
  {
    name: 'benchKernels',
    call: (o) => benchKernels({ timeMs: 1, threads: [1], onRow: noop, ...o }),
    misspelled: [{ thread: [1] }, /^benchKernels: unknown option 'thread' \(did you mean threads\?\)$/],
    misplaced: [{ seconds: 1 }, /^benchKernels: unknown option 'seconds' \(valid here: timeMs, threads, onRow\)$/],
    wrongType: [{ timeMs: null }, /^benchKernels: option 'timeMs' must be a finite number >= 0, got null$/],
  },
  {
    name: 'benchAutograd',
    call: (o) => benchAutograd({ timeMs: 1, threads: [1], onRow: noop, ...o }),
    misspelled: [{ onrow: noop }, /^benchAutograd: unknown option 'onrow' \(did you mean onRow\?\)$/],
    misplaced: [{ batches: [1] }, /^benchAutograd: unknown option 'batches' \(valid here: timeMs, threads, onRow\)$/],
    wrongType: [{ onRow: 'print' }, /^benchAutograd: option 'onRow' must be a function, got string "print"$/],
  },
  {
    name: 'benchLearn',
    call: (o) => benchLearn({ env: 'Pendulum-v1', seeds: [0], steps: 1, options: {}, onRow: noop, ...o }),
    misspelled: [{ step: 5 }, /^benchLearn: unknown option 'step' \(did you mean steps\?\)$/],
    misplaced: [{ options: { seeds: [1] } }, /^benchLearn: unknown option 'options\.seeds' \(did you mean seeds\?\)$/],
    wrongType: [{ steps: '5' }, /^benchLearn: option 'steps' must be an integer >= 1, got string "5"$/],
  },
  {
    name: 'Adam',
    call: (o) => new Adam(k, new Float32Array(1), new Float32Array(1), o),
    misspelled: [{ weight_decay: 0 }, /^Adam: unknown option 'weight_decay' \(did you mean weightDecay\?\)$/],
    misplaced: [{ batchSize: 1 }, /^Adam: unknown option 'batchSize' \(valid here: lr, betas, eps, weightDecay\)$/],
    wrongType: [{ lr: '0.1' }, /^Adam: option 'lr' must be a finite number >= 0, got string "0\.1"$/],
  },
  {
    name: 'Tape',
    call: (o) => new Tape(k, o),
    misspelled: [{ debugNan: true }, /^Tape: unknown option 'debugNan' \(did you mean debugNaN\?\)$/],
    misplaced: [{ allowNonFinite: true }, /^Tape: unknown option 'allowNonFinite' \(valid here: debugNaN, kind\)$/],
    wrongType: [{ kind: 64 }, /^Tape: option 'kind' must be 'float32' or 'float64', got 64$/],
  },
  {
    name: 'loadSafetensors',
    call: (o) => loadSafetensors('/nonexistent.safetensors', o),
    misspelled: [{ allowNonfinite: true }, /^loadSafetensors: unknown option 'allowNonfinite' \(did you mean allowNonFinite\?\)$/],
    misplaced: [{ seed: 1 }, /^loadSafetensors: unknown option 'seed' \(valid here: allowNonFinite\)$/],
    wrongType: [{ allowNonFinite: 1 }, /^loadSafetensors: option 'allowNonFinite' must be a boolean, got 1$/],
  },
  {
    name: 'decodeSafetensors',
    call: (o) => decodeSafetensors(new Uint8Array(0), 'buffer', o),
    misspelled: [{ allow_non_finite: true }, /^decodeSafetensors: unknown option 'allow_non_finite' \(did you mean allowNonFinite\?\)$/],
    misplaced: [{ bounds: {} }, /^decodeSafetensors: unknown option 'bounds' \(valid here: allowNonFinite\)$/],
    wrongType: [{ allowNonFinite: 'no' }, /^decodeSafetensors: option 'allowNonFinite' must be a boolean, got string "no"$/],
  },
  {
    name: 'checkStateDict',
    call: (o) => checkStateDict([], new Map(), o),
    misspelled: [{ allowextra: noop }, /^checkStateDict: unknown option 'allowextra' \(did you mean allowExtra\?\)$/],
    misplaced: [{ allowNonFinite: true }, /^checkStateDict: unknown option 'allowNonFinite' \(valid here: allowExtra\)$/],
    wrongType: [{ allowExtra: true }, /^checkStateDict: option 'allowExtra' must be a function, got true$/],
  },
];

for (const row of table) {
  test(`${row.name}: a misspelled key, a misplaced key and a wrong type are refused by name`, async () => {
    await refuses(() => row.call(row.misspelled[0]), TypeError, row.misspelled[1], `${row.name}, misspelled`);
    await refuses(() => row.call(row.misplaced[0]), TypeError, row.misplaced[1], `${row.name}, misplaced`);
    await refuses(() => row.call(row.wrongType[0]), TypeError, row.wrongType[1], `${row.name}, wrong type`);
  });
}

test("trainInWorker: 'epochs' without 'resume' is refused with the reason; the run's settings cannot come with 'resume'", async () => {
  await refuses(() => trainInWorker({ env: 'Pendulum-v1', epochs: 2 }), TypeError,
    /^trainInWorker: option 'epochs' extends a resumed run and needs 'resume'; for a new run give options\.epochs$/, 'epochs without resume');
  await refuses(() => trainInWorker({ resume: '/tmp/run', options: { epochs: 2 } }), TypeError,
    /^trainInWorker: option 'options' cannot be given with 'resume': a resumed run keeps its checkpoint's settings/, 'options with resume');
  await refuses(() => trainInWorker({ resume: '/tmp/run', backend: 'js' }), TypeError, /option 'backend' cannot be given with 'resume'/, 'backend with resume');
  await refuses(() => trainInWorker({ out: 5 as never }), TypeError, /^trainInWorker: option 'out' must be a directory path or null, got 5$/, 'out');
  await refuses(() => trainInWorker(null as never), TypeError, /^trainInWorker: options must be an object, got null$/, 'null');
});

test('knownKeys: no suggestion when nothing is close; valid keys pass; a key with an undefined value still counts', () => {
  knownKeys('f', { a: 1, bb: undefined }, ['a', 'bb']);
  assert.throws(() => knownKeys('f', { zzzzzz: 1 }, ['alpha', 'gamma']), /^f: unknown option 'zzzzzz' \(valid here: alpha, gamma\)$/);
  assert.throws(() => knownKeys('f', { gamm: undefined }, ['alpha', 'gamma']), /did you mean gamma\?/);
  assert.throws(() => knownKeys('f', { x: 1 }, []), /no options are accepted here/);
  // An inherited key is not the caller's: only own keys are checked.
  knownKeys('f', Object.create({ inherited: 1 }), ['a']);
});

test('resolveOptions keeps its defaults and accepts every documented key', () => {
  const o = resolveOptions({ gamma: 0.9, piLr: 3e-4 });
  assert.is(o.gamma, 0.9);
  assert.is(o.piLr, 3e-4);
  assert.is(o.batchSize, 100);
});

test.run();
