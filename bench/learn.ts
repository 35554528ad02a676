/**
 * The learning benchmark (`softac bench learn`, `npm run bench:learn`): SAC on Pendulum-v1
 * with Spinning Up's defaults for 20,000 steps (5 epochs of 4000) on seeds 0-4, reporting
 * each seed's final average test return and wall time. A benchmark, not a test: it takes
 * minutes. Target (issue 4): every seed at -200 or better.
 */
import * as is from '../src/check/is.js';
import { builtinEnvs } from '../src/envs/index.js';
import { getKernels } from '../src/kernels/index.js';
import { resolveOptions, type SacOptions } from '../src/sac/options.js';
import { train } from '../src/train/loop.js';
import { torchBaseline } from './common.js';

export interface LearnRow {
  bench: 'learn';
  /** softac's row, or the PyTorch baseline's (bench/pytorch_learn.py). */
  backend?: string;
  env: string;
  seed: number;
  steps: number;
  final_test_return: number;
  wall_s: number;
}

export interface LearnOptions {
  env: string;
  seeds: number[];
  steps: number;
  options: Partial<SacOptions>;
  onRow(row: LearnRow): void;
}

const LEARN_KEYS = ['env', 'seeds', 'steps', 'options', 'onRow'] as const;

export function benchLearn(o: LearnOptions): LearnRow[] {
  is.plainObject('benchLearn: options', o);
  is.knownKeys('benchLearn', o, LEARN_KEYS);
  is.string("benchLearn: option 'env'", o.env);
  is.integer("benchLearn: option 'steps'", o.steps, 1);
  is.func("benchLearn: option 'onRow'", o.onRow);
  resolveOptions(o.options, 'benchLearn', 'options.', { '': LEARN_KEYS });
  const make = builtinEnvs[o.env];
  if (!make) throw new RangeError(`bench learn: unknown environment '${o.env}' (built in: ${Object.keys(builtinEnvs).join(', ')})`);
  const stepsPerEpoch = o.options.stepsPerEpoch ?? 4000;
  if (o.steps % stepsPerEpoch !== 0) throw new RangeError(`bench learn: --steps ${o.steps} must be a multiple of the epoch length ${stepsPerEpoch}`);
  const rows: LearnRow[] = [];
  for (const seed of o.seeds) {
    const start = performance.now();
    const { epochs } = train({ k: getKernels(), makeEnv: make, envName: o.env, seed, options: { ...o.options, stepsPerEpoch, epochs: o.steps / stepsPerEpoch } });
    const row: LearnRow = { bench: 'learn', env: o.env, seed, steps: o.steps, final_test_return: epochs[epochs.length - 1]!.testEpRet.average,
      wall_s: (performance.now() - start) / 1000 };
    rows.push(row);
    o.onRow(row);
  }
  return rows;
}

/**
 * Spinning Up's PyTorch SAC on Pendulum-v1 with its defaults, per seed, timed end to end
 * (bench/pytorch_learn.py), one process per seed on one thread with a single-threaded BLAS
 * (the fastest setting measured here). A string says why it did not run.
 */
export function pytorchLearnRows(seeds: number[], steps: number, onRow: (row: LearnRow) => void): LearnRow[] | string {
  const run = torchBaseline('pytorch_learn.py');
  if (typeof run === 'string') return run;
  const rows: LearnRow[] = [];
  for (const seed of seeds) {
    const out = run(['--seeds', String(seed), '--steps', String(steps)], { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }, 3_600_000);
    if (typeof out === 'string') return out;
    const row = out[out.length - 1] as LearnRow;
    rows.push(row);
    onRow(row);
  }
  return rows;
}

export const learnHeader = '| seed | final average test return | wall time (s) |\n|-----:|-------------------------:|--------------:|';

/** One seed's row of the learning table. */
export function learnRowText(r: LearnRow): string {
  return `| ${String(r.seed).padStart(4)} | ${r.final_test_return.toFixed(1).padStart(24)} | ${r.wall_s.toFixed(1).padStart(13)} |`;
}

/** The mean over seeds, as the table's last row. */
export function learnMeanText(rows: readonly LearnRow[]): string {
  const mean = (f: (r: LearnRow) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
  return `| mean | ${mean((r) => r.final_test_return).toFixed(1).padStart(24)} | ${mean((r) => r.wall_s).toFixed(1).padStart(13)} |`;
}
