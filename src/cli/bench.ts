/**
 * `softac bench`: the flags of each benchmark, parsed and checked; each benchmark (bench/)
 * measures and formats its own rows.
 */
import { parseArgs } from 'node:util';

import { tableHeader, tableRow } from '../../bench/common.js';
import { benchAutograd } from '../../bench/autograd.js';
import { benchEnvs, envsTableHeader, envsTableRow } from '../../bench/envs.js';
import { benchKernels } from '../../bench/kernels.js';
import { benchLearn, learnHeader, learnMeanText, learnRowText, type LearnRow, pytorchLearnRows } from '../../bench/learn.js';
import { benchSac, sacRowPrinter } from '../../bench/sac.js';
import { machine } from './machine.js';
import { checkedOptions, optionFlags, optionsFromFlags } from './train.js';
import { whileStoppable } from './signals.js';
import { UsageError } from './usage.js';

function parseThreads(s: string): number[] {
  const t = s.split(',').map((x) => Number(x.trim()));
  if (t.length === 0 || t.some((x) => !Number.isInteger(x) || x < 1 || x > 256))
    throw new UsageError(`--threads must be a comma-separated list of integers from 1 to 256, got '${s}'`);
  return t;
}

export async function benchCommand(argv: string[]): Promise<void> {
  if (argv[0] === 'learn') return await benchLearnCommand(argv.slice(1));
  if (argv[0] === 'envs') return await benchEnvsCommand(argv.slice(1));
  if (argv[0] === 'sac') return benchSacCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      time: { type: 'string', default: '200' },
      threads: { type: 'string', default: '1,2' },
    },
  });
  const suites = { kernels: benchKernels, autograd: benchAutograd };
  const names = positionals.length === 0 ? (Object.keys(suites) as (keyof typeof suites)[]) : positionals;
  for (const n of names) {
    if (!(n in suites)) throw new UsageError(`bench: unknown benchmark '${n}' (expected kernels or autograd)`);
  }
  const timeMs = Number(values.time);
  if (!Number.isFinite(timeMs) || timeMs <= 0) throw new UsageError(`--time must be a positive number of ms, got '${values.time}'`);
  const threads = parseThreads(values.threads);
  if (!values.json) {
    console.log(`softac kernel benchmark on ${machine()}`);
    console.log(tableHeader);
  }
  for (const n of names) {
    await suites[n as keyof typeof suites]({
      timeMs,
      threads,
      onRow: (r) => console.log(values.json ? JSON.stringify(r) : tableRow(r)),
    });
  }
}

/** `softac bench sac [--json] [--seconds S] [--threads 1,2] [--batches 100,256] [--dims 3x1,17x6] [--no-js] [--no-pytorch]`. */
async function benchSacCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      seconds: { type: 'string', default: '3' },
      threads: { type: 'string', default: '1,2' },
      batches: { type: 'string', default: '100,256' },
      dims: { type: 'string', default: '3x1,17x6' },
      'no-js': { type: 'boolean', default: false },
      'no-pytorch': { type: 'boolean', default: false },
    },
  });
  if (positionals.length) throw new UsageError(`bench sac: unexpected argument '${positionals[0]}'`);
  const seconds = Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--seconds must be a positive number, got '${values.seconds}'`);
  const batches = values.batches.split(',').map((x) => Number(x.trim()));
  if (!batches.every((b) => Number.isInteger(b) && b >= 1)) throw new UsageError(`--batches must be a comma-separated list of positive integers, got '${values.batches}'`);
  const dims = values.dims.split(',').map((x) => x.trim().split('x').map(Number));
  if (!dims.every((d) => d.length === 2 && d.every((v) => Number.isInteger(v) && v >= 1)))
    throw new UsageError(`--dims must be a comma-separated list of OBSxACT pairs like 3x1,17x6, got '${values.dims}'`);
  const json = values.json;
  if (!json) {
    console.log(`softac SAC update benchmark on ${machine()}: hidden (256, 256), full Spinning Up updates (Q step, policy step, polyak)`);
  }
  const text = sacRowPrinter();
  await benchSac({
    seconds, threads: parseThreads(values.threads), batches, dims: dims as [number, number][], js: !values['no-js'], pytorch: !values['no-pytorch'],
    onPeak: (peak, path) => console.log(json ? JSON.stringify({ bench: 'fma_peak', path, gflops_per_thread: peak }) : `FMA peak (probe, ${path}): ${peak.toFixed(1)} GFLOPS per thread`),
    onNote: (note) => (json ? console.log(JSON.stringify({ bench: 'note', note })) : console.log(`note: ${note}`)),
    onRow: (r) => console.log(json ? JSON.stringify(r) : text(r)),
  });
}

/** `softac bench learn [--env E] [--seeds 0,1,2,3,4] [--steps 20000] [--runs DIR] [--threads N] [--json] [SacOptions flags]`. */
async function benchLearnCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...optionFlags,
      env: { type: 'string', default: 'Pendulum-v1' },
      seeds: { type: 'string', default: '0,1,2,3,4' },
      steps: { type: 'string', default: '20000' },
      runs: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean', default: false },
      pytorch: { type: 'boolean', default: false },
    },
  });
  if (positionals.length) throw new UsageError(`bench learn: unexpected argument '${positionals[0]}'`);
  let threads: number | undefined;
  if (values.threads !== undefined) {
    threads = Number(values.threads);
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new UsageError(`--threads must be an integer from 1 to 256, got '${values.threads}'`);
  }
  const seeds = values.seeds.split(',').map((x) => Number(x.trim()));
  if (!seeds.every((s) => Number.isInteger(s) && s >= 0 && s <= 0xffffffff)) throw new UsageError(`--seeds must be a comma-separated list of integers >= 0, got '${values.seeds}'`);
  const options = optionsFromFlags(values as Record<string, unknown>);
  if (options.epochs !== undefined) throw new UsageError('bench learn: give the run length with --steps, not --epochs');
  const opts = checkedOptions(options);
  const steps = Number(values.steps);
  if (!Number.isInteger(steps) || steps < 1 || steps % opts.stepsPerEpoch !== 0)
    throw new UsageError(`--steps must be a positive multiple of the epoch length ${opts.stepsPerEpoch}, got '${values.steps}'`);
  const changed = Object.entries(options).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  // The PyTorch baseline runs Spinning Up's own loop and defaults on Pendulum; anything else
  // would compare different work.
  if (values.pytorch && (values.env !== 'Pendulum-v1' || changed.length))
    throw new UsageError('bench learn --pytorch: the PyTorch baseline is Spinning Up on Pendulum-v1 with its defaults; give no --env or option flags with it');
  if (!values.json) {
    console.log(`softac learning benchmark: SAC with Spinning Up's defaults${changed.length ? ` except ${changed.join(' ')}` : ''} on ${values.env}, ${steps} steps per seed, on ${machine()}`);
    console.log(learnHeader);
  }
  // Ctrl-C (or SIGTERM) stops the seed in progress between two steps and checkpoints it
  // (with --runs, a later run of the same command resumes it).
  let signal: NodeJS.Signals | null = null;
  const rows = await whileStoppable((stopSignal) => benchLearn({
      env: values.env, seeds, steps, options, runs: values.runs, threads,
      onRow: (r) => console.log(values.json ? JSON.stringify(r) : learnRowText(r)),
      // One line per epoch on stderr, so a long run can be watched without touching the table.
      onEpoch: (seed, s, total) => console.error(`seed ${seed}, epoch ${s.epoch} of ${total}: test return ${s.testEpRet.average.toFixed(1)}, ${s.totalEnvInteracts} steps, ${s.time.toFixed(0)} s`),
      shouldStop: () => (signal = stopSignal()) !== null,
    }));
  if (signal) {
    console.error(`softac: stopped by ${signal}${values.runs ? `; the seed in progress is checkpointed under ${values.runs} and resumes when the same command runs again` : ''}`);
    process.exitCode = 130;
    return;
  }
  const mean = (rs: LearnRow[], f: (r: LearnRow) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
  if (!values.json && rows.length > 1) console.log(learnMeanText(rows));
  if (values.pytorch) {
    if (!values.json) console.log('PyTorch (bench/pytorch_learn.py), the same seeds and steps:');
    const torch = pytorchLearnRows(seeds, steps, (r) => console.log(values.json ? JSON.stringify(r) : learnRowText(r)));
    if (typeof torch === 'string') console.log(values.json ? JSON.stringify({ bench: 'note', note: torch }) : `note: ${torch}`);
    else if (!values.json) console.log(`softac's wall time is ${(mean(rows, (r) => r.wall_s) / mean(torch, (r) => r.wall_s)).toFixed(2)} of PyTorch's, measured in this run`);
  }
}

/** `softac bench envs [--seconds S] [--json]`: each MuJoCo env's steps/s beside a raw mj_step loop. */
async function benchEnvsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false }, seconds: { type: 'string', default: '2' } } });
  if (positionals.length) throw new UsageError(`bench envs: unexpected argument '${positionals[0]}'`);
  const seconds = Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--seconds must be a positive number, got '${values.seconds}'`);
  if (!values.json) {
    console.log(`softac env benchmark on ${machine()}: MuJoCo env steps per CPU second, and the same model stepped by a raw mj_step loop in the same run`);
    console.log(envsTableHeader);
  }
  await benchEnvs({ seconds, onRow: (r) => console.log(values.json ? JSON.stringify(r) : envsTableRow(r)) });
}
