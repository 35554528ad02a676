// `node scripts/stress-exit.mjs [--runs 1000] [--concurrency 2] [--timeout-ms 30000]
//   [--cli PATH] [--node-flags="--flag ..."] [--only train,...] [--stacks DIR]`
// launches short softac commands again and again, a few at a time, each under a time limit,
// and counts those that did not exit on their own (a hang: killed with SIGKILL when the limit
// expires) apart from those that exited with the wrong status. The commands: a tiny train,
// eval of a model trained first, trace --example then trace of what it wrote, info, help, and
// two that must fail (status 2 for a bad flag, 1 for a missing model). Its last line is
// `N runs, N hangs, N wrong exit statuses, N stalled exits ended by the backstop`; it exits 1
// when there was a hang or a wrong status.
//
// Node's exit can deadlock (nodejs/node#54918): a V8 compile job on a worker thread waits for
// a garbage collection that only the main thread can run, while the main thread waits for
// that job. softac's CLI ends its own process, with a native backstop for a stalled teardown
// (src/cli/main.ts); SOFTAC_NO_EXIT_FIX=1 leaves the exit to Node, to measure the difference.
// --cli runs another build (a checkout before the fix), --node-flags adds Node/V8 flags,
// --only train,eval runs only those kinds of command (train is the one seen to hang), and
// --stacks DIR saves gdb's backtraces of every thread of a hung process before killing it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const usage = (why) => {
  console.error(`stress-exit: ${why}\nusage: node scripts/stress-exit.mjs [--runs N] [--concurrency N] [--timeout-ms MS] [--cli PATH] [--node-flags="FLAGS"] [--only KIND,...] [--stacks DIR]`);
  process.exit(2);
};
let values;
try {
  ({ values } = parseArgs({ options: {
    runs: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '2' },
    'timeout-ms': { type: 'string', default: '30000' },
    cli: { type: 'string', default: fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url)) },
    'node-flags': { type: 'string', default: '' },
    only: { type: 'string' },
    stacks: { type: 'string' },
  } }));
} catch (e) {
  usage(e.message);
}
const positive = (name) => {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < 1) usage(`--${name} must be a positive integer, got '${values[name]}'`);
  return v;
};
const runs = positive('runs'), concurrency = positive('concurrency'), timeoutMs = positive('timeout-ms');
const cli = resolve(values.cli);
const nodeFlags = values['node-flags'].split(/\s+/).filter(Boolean);
const stacks = values.stacks === undefined ? null : resolve(values.stacks);
if (stacks) mkdirSync(stacks, { recursive: true });

const { NO_COLOR: _n, FORCE_COLOR: _f, ...env } = process.env;
const dir = mkdtempSync(join(tmpdir(), 'softac-stress-exit-'));
// A user's env module, so a train run also loads one (the case of the original report).
const lineEnv = join(dir, 'line.mjs');
writeFileSync(lineEnv, `export default class Line {
  observationSpace = { shape: [1] };
  actionSpace = { shape: [1], low: [-1], high: [1] };
  maxEpisodeSteps = 20;
  x = 0; t = 0;
  reset() { this.x = 0; this.t = 0; return [this.x]; }
  step(a) { this.x += a[0]; this.t++; return { observation: [this.x], reward: -Math.abs(this.x), terminated: false, truncated: this.t >= 20 }; }
}\n`);
const tiny = ['--epochs', '1', '--steps-per-epoch', '120', '--start-steps', '50', '--update-after', '50', '--update-every', '25',
  '--batch-size', '16', '--hidden', '16,16', '--num-test-episodes', '1'];

/** Runs `softac args`; resolves with how it ended. A run still alive after timeoutMs is killed and reported as hung. */
function softac(args) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [...nodeFlags, cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr = (stderr + d).slice(-2000)));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      if (stacks) {
        try {
          const bt = execFileSync('gdb', ['-p', String(child.pid), '-batch', '-ex', 'thread apply all bt'], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
          writeFileSync(join(stacks, `hang-${child.pid}.txt`), `softac ${args.join(' ')}\n\n${bt}`);
        } catch (e) {
          console.error(`stress-exit: no backtrace of ${child.pid}: ${e.message}`);
        }
      }
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      done({ hung, status, signal, stderr });
    });
  });
}

// One job is one or two commands that belong together; each command counts as a run.
let nth = 0;
const model = join(dir, 'model', 'model.safetensors');
const kinds = {
  train: () => {
    const out = join(dir, `train-${nth++}`);
    return [{ args: ['train', '--env', lineEnv, ...tiny, '--seed', String(nth), '--out', out], status: 0, after: () => rmSync(out, { recursive: true, force: true }) }];
  },
  eval: () => [{ args: ['eval', '--model', model, '--env', lineEnv, '--episodes', '2'], status: 0 }],
  trace: () => {
    const ex = join(dir, `example-${nth++}`);
    return [
      { args: ['trace', '--example', ex], status: 0 },
      { args: ['trace', '--checkpoint', join(ex, 'checkpoint.safetensors'), '--batch', join(ex, 'batch.safetensors'), '--rows', '0,3', '--json'], status: 0,
        after: () => rmSync(ex, { recursive: true, force: true }) },
    ];
  },
  info: () => [{ args: ['info'], status: 0 }],
  help: () => [{ args: ['help'], status: 0 }],
  'bad-flag': () => [{ args: ['train', '--gamma', '2'], status: 2 }],
  'missing-model': () => [{ args: ['eval', '--model', join(dir, 'no-such-model.safetensors')], status: 1 }],
};
const only = values.only?.split(',') ?? Object.keys(kinds);
for (const k of only) if (!(k in kinds)) usage(`--only: unknown kind '${k}' (expected ${Object.keys(kinds).join(', ')})`);
const jobs = only.map((k) => kinds[k]);

const setup = await softac(['train', '--env', lineEnv, ...tiny, '--out', join(dir, 'model')]);
if (setup.hung || setup.status !== 0) {
  console.error(`stress-exit: training the model for eval failed (${setup.hung ? 'hung' : `status ${setup.status}`}): ${setup.stderr}`);
  process.exit(1);
}

let started = 0, finished = 0, hangs = 0, wrong = 0, stalls = 0, next = 0;
const t0 = performance.now();
const report = () => `${finished} runs, ${hangs} hangs, ${wrong} wrong exit statuses, ${stalls} stalled exits ended by the backstop`;
async function lane() {
  while (started < runs) {
    for (const c of jobs[next++ % jobs.length]()) {
      if (started >= runs) break;
      started++;
      const r = await softac(c.args);
      finished++;
      const line = `softac ${c.args.join(' ')}`;
      if (r.hung) {
        hangs++;
        console.log(`hung: ${line} (killed after ${timeoutMs} ms)`);
      } else if (r.status !== c.status) {
        wrong++;
        console.log(`wrong exit status: ${line} ended with ${r.status ?? r.signal}, expected ${c.status}: ${r.stderr.trim()}`);
      }
      // The backstop (native exitAfter) ended a teardown that had deadlocked: not a hang, but counted.
      if (r.stderr.includes("Node's exit stalled")) {
        stalls++;
        console.log(`stalled exit ended by the backstop: ${line}`);
      }
      c.after?.();
      if (finished % 100 === 0) console.error(`${report()} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, lane));
rmSync(dir, { recursive: true, force: true });
console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s, ${concurrency} at a time, ${cli}${nodeFlags.length ? ` with ${nodeFlags.join(' ')}` : ''}`);
console.log(report());
process.exitCode = hangs || wrong ? 1 : 0;
