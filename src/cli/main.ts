#!/usr/bin/env node
/**
 * The `softac` command. Each sub-command parses its own flags with node:util's parseArgs
 * (strict: an unknown flag is an error that names it).
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';

import { tableHeader, tableRow } from '../../bench/common.js';
import { benchAutograd } from '../../bench/autograd.js';
import { benchKernels } from '../../bench/kernels.js';
import { benchLearn, type LearnRow, pytorchLearnRows } from '../../bench/learn.js';
import { benchSac } from '../../bench/sac.js';
import { exitAfter, getKernels, nativeLoadError } from '../kernels/index.js';
import { evalCommand } from './eval.js';
import { traceCommand } from './trace.js';
import { checkedOptions, optionFlags, optionsFromFlags, trainCommand, UsageError } from './train.js';

const USAGE = `usage: softac <command> [options]

commands:
  train [options]           train SAC (softac train --help lists every option)
  train --resume DIR [--epochs N]
                            continue a run from its checkpoint, bit-identical (Ctrl-C saves one)
  eval --model FILE [--env ENV] [--episodes N]
                            deterministic episodes of a saved model, with their returns
  trace --checkpoint FILE --batch FILE [--rows 0,1] [--explain] [--json] [--html FILE]
        [--grads-out FILE] [--alpha A] [--gamma G] [--act-limit L]
                            one SAC update node by node: each intermediate of the squashed
                            Gaussian, the backup and both losses, with its value and its
                            gradient (softac trace --help)
  trace --example DIR       write a random checkpoint and batch to trace
  info                      the kernel backend, SIMD path and threads in use
  bench [kernels|autograd] [--json] [--time MS] [--threads 1,2]
                            benchmark the kernels (GEMM, tanh, the squashed Gaussian) or
                            the autograd (an MLP step and the tape's overhead) on every
                            backend, SIMD path and thread count; both when none is named
  bench sac [--json] [--seconds S] [--threads 1,2] [--batches 100,256] [--dims 3x1,17x6]
            [--no-js] [--no-pytorch]
                            full SAC updates per second, GFLOPS and fraction of the FMA
                            peak, native and TypeScript, with PyTorch's update measured in
                            the same run when python3 has torch; the 256x256x256 GEMM on
                            one thread (softac's, and torch.mm's); act() latency, env steps/s
  bench learn [--env E] [--seeds 0,1,2,3,4] [--steps 20000] [--json] [--pytorch] [train's option flags]
                            SAC with Spinning Up's defaults (or the flags given) per seed:
                            final test return, wall time
  start                     what \`npm start\` runs: a short SAC run on Pendulum-v1 (5 epochs
                            of 2000 steps, 1000 random steps first) that learns in about a minute

environment:
  SOFTAC_BACKEND=js|native|auto   force a backend (default auto)
  SOFTAC_SIMD=scalar|avx2|avx512|neon   force a SIMD path of the native backend
`;

function machine(): string {
  const c = cpus();
  return `${c[0]?.model ?? 'unknown CPU'}, ${c.length} cores, Node ${process.version}`;
}

function info(): void {
  const k = getKernels();
  const i = k.info();
  console.log(`backend: ${i.backend}`);
  if (i.backend === 'native') {
    console.log(`SIMD path: ${i.path} (runnable: ${i.paths.join(', ')}; compiled: ${i.compiledPaths.join(', ')})`);
    console.log(`threads: ${i.threads}`);
  } else {
    const why = nativeLoadError();
    if (why) console.log(`native addon: unavailable (${why})`);
  }
  console.log(`machine: ${machine()}`);
}

function parseThreads(s: string): number[] {
  const t = s.split(',').map((x) => Number(x.trim()));
  if (t.length === 0 || t.some((x) => !Number.isInteger(x) || x < 1 || x > 256))
    throw new UsageError(`--threads must be a comma-separated list of integers from 1 to 256, got '${s}'`);
  return t;
}

async function bench(argv: string[]): Promise<void> {
  if (argv[0] === 'learn') return benchLearnCommand(argv.slice(1));
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
  let header = false;
  await benchSac({
    seconds, threads: parseThreads(values.threads), batches, dims: dims as [number, number][], js: !values['no-js'], pytorch: !values['no-pytorch'],
    onPeak: (peak, path) => console.log(json ? JSON.stringify({ bench: 'fma_peak', path, gflops_per_thread: peak }) : `FMA peak (probe, ${path}): ${peak.toFixed(1)} GFLOPS per thread`),
    onNote: (note) => (json ? console.log(JSON.stringify({ bench: 'note', note })) : console.log(`note: ${note}`)),
    onRow: (r) => {
      if (json) return console.log(JSON.stringify(r));
      if (r.bench === 'sac_update') {
        if (!header) {
          console.log('| batch | obs x act | backend | path           | threads | updates/s |  GFLOPS | % of peak |\n|------:|----------:|---------|----------------|--------:|----------:|--------:|----------:|');
          header = true;
        }
        const pct = r.peak_fraction === null ? '' : `${(100 * r.peak_fraction).toFixed(0)}%`;
        console.log(`| ${String(r.batch).padStart(5)} | ${`${r.obs_dim}x${r.act_dim}`.padStart(9)} | ${r.backend.padEnd(7)} | ${r.path.padEnd(14)} | ${String(r.threads).padStart(7)} | ${r.updates_per_s.toFixed(1).padStart(9)} | ${r.gflops.toFixed(1).padStart(7)} | ${pct.padStart(9)} |`);
      } else if (r.bench === 'gemm') {
        const pct = r.peak_fraction === null ? '' : ` (${(100 * r.peak_fraction).toFixed(0)}% of peak)`;
        console.log(`GEMM ${r.layout} ${r.m}x${r.n}x${r.k}, ${r.threads} thread, ${r.backend} ${r.path}: ${r.gflops.toFixed(1)} GFLOPS${pct}`);
      } else if (r.bench === 'act') {
        console.log(`act() on one observation, ${r.deterministic ? 'deterministic' : 'sampled'}, ${r.backend} ${r.path}: ${r.latency_us.toFixed(2)} us`);
      } else {
        console.log(`${r.env} env steps: ${(r.steps_per_s / 1e6).toFixed(2)} million per second`);
      }
    },
  });
}

/** `softac bench learn [--env E] [--seeds 0,1,2,3,4] [--steps 20000] [--json] [SacOptions flags]`. */
function benchLearnCommand(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...optionFlags,
      env: { type: 'string', default: 'Pendulum-v1' },
      seeds: { type: 'string', default: '0,1,2,3,4' },
      steps: { type: 'string', default: '20000' },
      json: { type: 'boolean', default: false },
      pytorch: { type: 'boolean', default: false },
    },
  });
  if (positionals.length) throw new UsageError(`bench learn: unexpected argument '${positionals[0]}'`);
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
    console.log('| seed | final average test return | wall time (s) |\n|-----:|-------------------------:|--------------:|');
  }
  const rows = benchLearn({
    env: values.env, seeds, steps, options,
    onRow: (r) => console.log(values.json ? JSON.stringify(r) : `| ${String(r.seed).padStart(4)} | ${r.final_test_return.toFixed(1).padStart(24)} | ${r.wall_s.toFixed(1).padStart(13)} |`),
  });
  const mean = (rs: LearnRow[], f: (r: LearnRow) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
  if (!values.json && rows.length > 1)
    console.log(`| mean | ${mean(rows, (r) => r.final_test_return).toFixed(1).padStart(24)} | ${mean(rows, (r) => r.wall_s).toFixed(1).padStart(13)} |`);
  if (values.pytorch) {
    if (!values.json) console.log('PyTorch (bench/pytorch_learn.py), the same seeds and steps:');
    const torch = pytorchLearnRows(seeds, steps, (r) => console.log(values.json ? JSON.stringify(r) : `| ${String(r.seed).padStart(4)} | ${r.final_test_return.toFixed(1).padStart(24)} | ${r.wall_s.toFixed(1).padStart(13)} |`));
    if (typeof torch === 'string') console.log(values.json ? JSON.stringify({ bench: 'note', note: torch }) : `note: ${torch}`);
    else if (!values.json) console.log(`softac's wall time is ${(mean(rows, (r) => r.wall_s) / mean(torch, (r) => r.wall_s)).toFixed(2)} of PyTorch's, measured in this run`);
  }
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'info':
      info();
      return;
    case 'bench':
      await bench(rest);
      return;
    case 'train':
      await trainCommand(rest);
      return;
    case 'eval':
      await evalCommand(rest);
      return;
    case 'trace':
      await traceCommand(rest);
      return;
    case 'start':
      await trainCommand(rest, { epochs: 5, stepsPerEpoch: 2000, startSteps: 1000, updateAfter: 1000, numTestEpisodes: 5 });
      return;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      throw new UsageError(`unknown command '${cmd}'`);
  }
}

/** How long Node's teardown inside process.exit may take before the backstop ends the process (it takes milliseconds). */
const exitStallMs = 5000;

/**
 * Ends the process with `code` once stdout and stderr have flushed, instead of letting the
 * event loop run dry. Node's exit can deadlock (nodejs/node#54918): a V8 compile job on a
 * worker thread, allocating, waits for a garbage collection that only the main thread can
 * run, while the main thread waits for that job. From an empty event loop the main thread
 * waits in NodePlatform::DrainTasks for every queued job (the hang reported in issue 13);
 * process.exit drops the queued jobs but still joins the running ones, so a native thread
 * (exitAfter) ends the process with the same code if the teardown stalls. SOFTAC_NO_EXIT_FIX=1
 * leaves the exit to Node, for scripts/stress-exit.mjs to measure the difference.
 */
async function exitWhenFlushed(code: number): Promise<void> {
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))));
  if (process.env.SOFTAC_NO_EXIT_FIX === '1') {
    process.exitCode = code;
    return;
  }
  exitAfter(exitStallMs, code);
  process.exit(code);
}

const argvCommand = process.argv[2];
main(process.argv.slice(2)).then(() => Number(process.exitCode ?? 0), (e: unknown) => {
  const err = e as Error & { code?: string };
  if (e instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS')) {
    const help = argvCommand === 'train' || argvCommand === 'start' ? 'softac train --help' : argvCommand === 'eval' ? 'softac eval --help'
      : argvCommand === 'trace' ? 'softac trace --help' : 'softac --help';
    console.error(`softac: ${err.message} (see ${help})`);
    return 2;
  }
  // A user-facing message; the stack only on request (SOFTAC_DEBUG=1).
  console.error(`softac: ${process.env.SOFTAC_DEBUG === '1' ? (err.stack ?? err.message) : err.message}`);
  return 1;
}).then(exitWhenFlushed);
