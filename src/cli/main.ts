#!/usr/bin/env node
/**
 * The `softac` command. Each sub-command parses its own flags with node:util's parseArgs
 * (strict: an unknown flag is an error that names it).
 */
import { EnvSpecError } from '../envs/load.js';
import { exitAfter, getKernels, nativeSkipped, nativeSource, wasmLoadError, wasmSource } from '../kernels/index.js';
import { benchCommand } from './bench.js';
import { evalCommand } from './eval.js';
import { machine } from './machine.js';
import { traceCommand } from './trace.js';
import { sweepCommand } from './sweep.js';
import { trainCommand } from './train.js';
import { UsageError } from './usage.js';
import { workerCommand } from './worker.js';

const USAGE = `usage: softac <command> [options]

commands:
  train [options]           train SAC (softac train --help lists every option)
  train --resume DIR [--epochs N]
                            continue a run from its checkpoint, bit-identical (Ctrl-C saves one)
  eval --model FILE [--env ENV] [--episodes N] [--render PAGE]
                            deterministic episodes of a saved model, with their returns;
                            --render writes the first as a replay page (HTML) to watch
  trace --checkpoint FILE --batch FILE [--rows 0,1] [--explain] [--json] [--html FILE]
        [--grads-out FILE] [--alpha A] [--gamma G] [--act-limit L]
                            one SAC update node by node: each intermediate of the squashed
                            Gaussian, the backup and both losses, with its value and its
                            gradient (softac trace --help)
  trace --example DIR       write a random checkpoint and batch to trace
  info                      the kernel backend, SIMD path and threads in use, and which
                            addon file loaded (and why the ones tried before it did not)
  bench [kernels|autograd] [--json] [--time MS] [--threads 1,2]
                            benchmark the kernels (GEMM, tanh, the squashed Gaussian) or
                            the autograd (an MLP step and the tape's overhead) on every
                            backend, SIMD path and thread count; both when none is named
  bench sac [--json] [--seconds S] [--threads 1,2] [--batches 100,256] [--dims 3x1,17x6]
            [--no-js] [--no-pytorch]
                            full SAC updates per second, GFLOPS and fraction of the FMA
                            peak, native, WebAssembly and TypeScript, with PyTorch's update
                            measured in the same run when python3 has torch; the 256x256x256
                            GEMM on one thread (softac's, and torch.mm's); act() latency,
                            env steps/s
  bench envs [--json] [--seconds S]
                            MuJoCo env steps per second, beside a raw mj_step loop over the
                            same model in the same run (the wrapper's overhead)
  bench learn [--env E] [--seeds 0,1,2,3,4] [--steps 20000] [--runs DIR] [--threads N] [--json]
              [--pytorch] [train's option flags]
                            SAC with Spinning Up's defaults (or the flags given) per seed:
                            final test return, wall time
  sweep [PLAN.json] [--env E1,E2] [--seeds 0-4] [--set lr=1e-3,3e-4] [--workers N]
        [--runs DIR] [--dry-run] [--queue redis://HOST:6379/0] [train's option flags]
                            a grid of training runs, N at a time here or on a BullMQ queue;
                            run again, it continues (softac sweep --help)
  sweep status|report [--runs DIR] [--queue URL]
                            each job's state; the results grouped by settings, mean ± std
                            over seeds, with a learning-curve SVG and a CSV
  worker --queue URL --runs DIR [--concurrency N]
                            train the jobs of a queued sweep (softac worker --help)
  start                     what \`npm start\` runs: a short SAC run on Pendulum-v1 (5 epochs
                            of 2000 steps, 1000 random steps first) that learns in about a minute

environment:
  SOFTAC_BACKEND=js|native|wasm|auto   force a backend (default auto: the native addon, else
                                        WebAssembly, else the TypeScript reference)
  SOFTAC_SIMD=scalar|avx2|avx512|neon   force a SIMD path of the native backend
  SOFTAC_WASM=FILE                      the WebAssembly module to load instead of wasm/softac.wasm
`;

function info(): void {
  const k = getKernels();
  const i = k.info();
  console.log(`backend: ${i.backend}`);
  const source = nativeSource();
  console.log(`native addon: ${source ? `${source.file} (${source.origin})` : 'none'}`);
  // Each place tried before the one in use (or every place), with why it was passed over.
  for (const why of nativeSkipped()) console.log(`  skipped ${why}`);
  // After the addon, before the reference: the WebAssembly module, when it was tried.
  if (i.backend !== 'native') {
    const wasm = i.backend === 'wasm' ? wasmSource() : null;
    console.log(`WebAssembly: ${wasm ?? 'none'}`);
    if (!wasm) console.log(`  skipped ${wasmLoadError()}`);
  }
  if (i.backend === 'wasm') console.log(`SIMD path: wasm (SIMD128), 1 thread`);
  if (i.backend === 'native') {
    console.log(`SIMD path: ${i.path} (runnable: ${i.paths.join(', ')}; compiled: ${i.compiledPaths.join(', ')})`);
    console.log(`threads: ${i.threads}`);
  }
  console.log(`machine: ${machine()}`);
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'info':
      info();
      return;
    case 'bench':
      await benchCommand(rest);
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
    case 'sweep':
      await sweepCommand(rest);
      return;
    case 'worker':
      await workerCommand(rest);
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
  if (e instanceof UsageError || e instanceof EnvSpecError || err.code?.startsWith('ERR_PARSE_ARGS')) {
    const help = argvCommand === 'train' || argvCommand === 'start' ? 'softac train --help' : argvCommand === 'eval' ? 'softac eval --help'
      : argvCommand === 'trace' ? 'softac trace --help' : argvCommand === 'sweep' ? 'softac sweep --help'
      : argvCommand === 'worker' ? 'softac worker --help' : 'softac --help';
    console.error(`softac: ${err.message} (see ${help})`);
    return 2;
  }
  // A user-facing message; the stack only on request (SOFTAC_DEBUG=1).
  console.error(`softac: ${process.env.SOFTAC_DEBUG === '1' ? (err.stack ?? err.message) : err.message}`);
  return 1;
}).then(exitWhenFlushed);
