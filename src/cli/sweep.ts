/**
 * `softac sweep`: a grid of training runs from a plan file or flags, listed (--dry-run),
 * run here N at a time (--workers), or put on a BullMQ queue (--queue) for `softac worker`;
 * `softac sweep status` and `softac sweep report`. Parsing and printing only: the sweep is
 * src/train/sweep/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { type JobOutcome, otherRun, runState } from '../train/sweep/job.js';
import { runLocalSweep } from '../train/sweep/local.js';
import { describeJob, expandPlan, optionKey, type SweepJob, type SweepPlan } from '../train/sweep/plan.js';
import { JobFailure } from '../train/sweep/process.js';
import type { FromChild } from '../train/sweep/protocol.js';
import { defaultQueueName, enqueueJobs, parseQueueUrl, queueStatus, redact } from '../train/sweep/queue.js';
import { runDirsUnder, sweepReport } from '../train/sweep/report.js';
import { whileStoppable } from './signals.js';
import { optionFlags, optionsFromFlags, parseValue } from './train.js';
import { backendFlag, UsageError } from './usage.js';

export const defaultRuns = join('runs', 'sweep');

export const sweepUsage = `usage: softac sweep [PLAN.json] [--env E1,E2] [--seeds 0-4] [--set KEY=V1,V2]... [train's option flags]
                    [--runs DIR] [--workers N] [--threads N] [--backend B] [--dry-run]
                    [--queue redis://HOST:6379/0] [--queue-name NAME]
       softac sweep status [--runs DIR] [--queue URL] [--queue-name NAME]
       softac sweep report [--runs DIR] [--out DIR] [--all]

A sweep is a grid: every env x every combination of the --set values x every seed. Each
job is an ordinary softac train run in its own directory under --runs, named after its
settings (HalfCheetah-v4-lr=0.0003-seed2). Running a sweep again skips its finished jobs
and resumes its unfinished ones from their checkpoints.

  PLAN.json              {"env": [...], "seeds": "0-4", "set": {"lr": [0.001, 0.0003]},
                          "options": {"epochs": 50}} (instead of the grid flags)
  --env E1,E2            envs (built-in names or module paths) [Pendulum-v1]
  --seeds SPEC           seeds: 0-4, 0,2,7 [0]
  --set KEY=V1,V2        a setting of the grid and its values (repeatable); KEY is a train
                         option (lr, batch-size, alpha, ...); --set hidden=64x64,256x256
  --runs DIR             the runs root [${defaultRuns}]
  --workers N            jobs at a time on this machine, each in its own process [1]
  --threads N            kernel threads per job [cores / workers]
  --dry-run              list the jobs, their run directories and what is on disk; run nothing
  --queue URL            put the jobs on a BullMQ queue in Redis instead; \`softac worker\`
                         trains them (needs the bullmq package)
  --queue-name NAME      [${defaultQueueName}]

  status                 each job's state, epoch, last test return (and worker, with --queue)
  report                 finished runs under --runs grouped by their settings: the final test
                         return as mean ± std over seeds, a learning-curve SVG with a band over
                         the seeds (sweep-report.svg) and a CSV (sweep-report.csv), in --out
                         [the runs root]; --all includes unfinished runs, each group cut at
                         the epoch all its seeds have reached

Ctrl-C stops every job with a checkpoint (exit 130); run the same command again to continue.
`;

/** --set lr=1e-3,3e-4 and --set hidden=64x64,256x256: the key checked, each value parsed as train's flag would be. */
function parseSet(raw: string, set: Record<string, unknown[]>): void {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set must be KEY=V1,V2 (such as lr=0.001,0.0003), got '${raw}'`);
  const key = optionKey('--set', raw.slice(0, eq).trim());
  if (key in set) throw new UsageError(`--set ${raw.slice(0, eq)} is given twice; list all its values in one --set`);
  const values = raw.slice(eq + 1).split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) throw new UsageError(`--set ${raw}: a value is empty`);
  set[key] = values.map((v) => {
    try {
      return parseValue(key, key === 'hidden' ? v.split('x').join(',') : v);
    } catch (e) {
      throw new UsageError(`--set ${raw}: ${(e as Error).message}`);
    }
  });
}

const GRID_FLAGS = ['env', 'seeds', 'set', ...Object.keys(optionFlags)];

function planFrom(values: Record<string, unknown>, positionals: string[]): SweepPlan {
  if (positionals.length > 1) throw new UsageError(`sweep: one plan file at most, got '${positionals[1]}'`);
  if (positionals.length === 1) {
    const file = positionals[0]!;
    const flag = GRID_FLAGS.find((f) => values[f] !== undefined);
    if (flag) throw new UsageError(`sweep: give the grid in the plan file ${file} or as flags, not both (got --${flag})`);
    if (!existsSync(file)) throw new UsageError(`sweep: no plan file ${file}`);
    let plan: unknown;
    try {
      plan = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new UsageError(`sweep: plan file ${file} is not valid JSON (${(e as Error).message})`);
    }
    return plan as SweepPlan;
  }
  const set: Record<string, unknown[]> = {};
  for (const s of (values.set as string[] | undefined) ?? []) parseSet(s, set);
  return {
    env: ((values.env as string | undefined) ?? 'Pendulum-v1').split(',').map((e) => e.trim()).filter((e) => e !== ''),
    seeds: (values.seeds as string | undefined) ?? '0',
    set,
    options: optionsFromFlags(values),
  };
}

function positiveInt(flag: string, raw: string | undefined, max = 256): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} must be an integer from 1 to ${max}, got '${raw}'`);
  return n;
}

function queueUrl(raw: string) {
  try {
    return parseQueueUrl('--queue', raw);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

const ret = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(1) : '-');

export async function sweepCommand(argv: string[]): Promise<void> {
  if (argv[0] === 'status') return statusCommand(argv.slice(1));
  if (argv[0] === 'report') return reportCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { ...optionFlags, env: { type: 'string' }, seeds: { type: 'string' }, set: { type: 'string', multiple: true },
      runs: { type: 'string' }, workers: { type: 'string' }, threads: { type: 'string' }, backend: { type: 'string' },
      'dry-run': { type: 'boolean', default: false }, queue: { type: 'string' }, 'queue-name': { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write(sweepUsage);
    return;
  }
  let jobs: SweepJob[];
  try {
    jobs = expandPlan(planFrom(values, positionals), positionals[0] ? `sweep: plan ${positionals[0]}` : 'sweep');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  const runs = values.runs ?? defaultRuns;
  if (values['queue-name'] !== undefined && values.queue === undefined) throw new UsageError('--queue-name goes with --queue');
  const workers = positiveInt('--workers', values.workers) ?? 1;
  const threads = positiveInt('--threads', values.threads) ?? Math.max(1, Math.floor(availableParallelism() / workers));
  const backend = backendFlag(values.backend);

  if (values['dry-run']) {
    console.log(`softac sweep: ${jobs.length} job${jobs.length === 1 ? '' : 's'} under ${runs}`);
    for (const j of jobs) {
      const st = runState(join(runs, j.name));
      const disk = otherRun(st, j) ? 'holds another run' : st.done ? 'done' : st.hasCheckpoint ? `resumes at epoch ${st.epochsDone}/${j.options.epochs}` : 'new';
      console.log(`  ${j.name.padEnd(40)} ${describeJob(j)}, ${j.options.epochs} epochs of ${j.options.stepsPerEpoch} steps [${disk}]`);
    }
    return;
  }

  if (values.queue !== undefined) {
    const local = (['workers', 'threads', 'backend'] as const).find((f) => values[f] !== undefined);
    if (local) throw new UsageError(`--${local} is for a sweep on this machine; with --queue give it to softac worker${local === 'workers' ? ' (as --concurrency)' : ''}`);
    const q = queueUrl(values.queue);
    const name = values['queue-name'] ?? defaultQueueName;
    const r = await enqueueJobs(q, name, jobs);
    console.log(redact(q, `softac sweep: queue ${name} at ${q.shown}: ${r.added.length} added, ${r.present.length} already there, ${r.retried.length} failed before and added again`));
    console.log(`start workers with: softac worker --queue ${q.shown} --runs DIR${name === defaultQueueName ? '' : ` --queue-name ${name}`}`);
    return;
  }

  // A directory that holds another run (a fixed option changed since, say) is refused before any job starts.
  const others = jobs.map((j) => otherRun(runState(join(runs, j.name)), j)).filter((x) => x !== null);
  if (others.length) throw new UsageError(`sweep: ${others[0]}${others.length > 1 ? ` (and ${others.length - 1} more)` : ''}`);
  console.log(`softac sweep: ${jobs.length} jobs under ${runs}, ${workers} at a time, ${threads} thread${threads === 1 ? '' : 's'} each`);
  const board = new Board(jobs);
  const outcomes = await whileStoppable(async (stopSignal) => {
    const sweep = runLocalSweep(jobs, { runs, workers, threads, backend, onMessage: (j, m) => board.message(j, m), onEnd: (j, r) => board.end(j, r) });
    const poll = setInterval(() => {
      if (stopSignal()) sweep.stop();
    }, 50);
    try {
      return await sweep.result;
    } finally {
      clearInterval(poll);
      board.finish();
    }
  });
  const failed = outcomes.filter((r) => r instanceof JobFailure).length;
  const stopped = outcomes.filter((r) => r === null || (!(r instanceof JobFailure) && r.state === 'stopped')).length;
  const done = outcomes.length - failed - stopped;
  console.log(`softac sweep: ${done} done, ${stopped} stopped or not started, ${failed} failed; results: softac sweep report --runs ${runs}`);
  if (stopped) {
    console.log('softac sweep: stopped with checkpoints; run the same command again to continue');
    process.exitCode = 130;
  } else if (failed) process.exitCode = 1;
}

interface Line {
  state: string;
  epoch: number;
  epochs: number;
  t: number;
  total: number;
  testReturn: number | null;
}

/**
 * One line per job. On a terminal the lines are redrawn in place (at most 5 times a
 * second); elsewhere (a pipe, a log) a line is printed when a job starts, ends an epoch
 * or ends.
 */
class Board {
  private readonly lines = new Map<string, Line>();
  private readonly tty = process.stdout.isTTY === true;
  private drawn = 0;
  private lastDraw = 0;
  private readonly width: number;

  constructor(private readonly jobs: readonly SweepJob[]) {
    for (const j of jobs) this.lines.set(j.name, { state: 'waiting', epoch: 0, epochs: j.options.epochs, t: 0, total: j.options.epochs * j.options.stepsPerEpoch, testReturn: null });
    this.width = Math.max(...jobs.map((j) => j.name.length));
  }

  message(j: SweepJob, m: FromChild): void {
    const l = this.lines.get(j.name)!;
    if (m.type === 'start') {
      Object.assign(l, { state: m.t > 0 ? 'resumed' : 'running', epoch: m.epochsDone, t: m.t, total: m.total });
      this.say(j, `${m.t > 0 ? `resumed at step ${m.t}` : 'started'}`);
      for (const w of m.warnings) this.say(j, `warning: ${w}`, true);
    } else if (m.type === 'step') Object.assign(l, { t: m.t, total: m.total });
    else if (m.type === 'epoch') {
      Object.assign(l, { epoch: m.epoch, t: m.steps, testReturn: m.testReturn });
      this.say(j, `epoch ${m.epoch}/${m.epochs}, test return ${ret(m.testReturn)}`);
    }
    this.draw();
  }

  end(j: SweepJob, r: JobOutcome | JobFailure): void {
    const l = this.lines.get(j.name)!;
    if (r instanceof JobFailure) {
      l.state = 'failed';
      this.say(j, `failed: ${r.message}`, true);
    } else {
      Object.assign(l, { state: r.state === 'skipped' ? 'done' : r.state, epoch: r.epochsDone, testReturn: r.testReturn });
      this.say(j, r.state === 'skipped' ? 'done already' : r.state);
    }
    this.draw(true);
  }

  finish(): void {
    this.draw(true);
  }

  private say(j: SweepJob, what: string, always = false): void {
    if (this.tty && !always) return;
    this.clear();
    console.log(`${j.name}: ${what}`);
  }

  private clear(): void {
    if (!this.tty || this.drawn === 0) return;
    process.stdout.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }

  private draw(force = false): void {
    if (!this.tty) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    this.clear();
    // More jobs than the terminal has rows: the cursor cannot climb past the top, so only the
    // jobs in progress (or failed) get a line, under a count of the others by state.
    let shown = this.jobs, summary: string[] = [];
    if (shown.length > (process.stdout.rows ?? 24) - 2) {
      shown = shown.filter((j) => !['waiting', 'done'].includes(this.lines.get(j.name)!.state));
      const count = (st: string) => this.jobs.filter((j) => this.lines.get(j.name)!.state === st).length;
      summary = [`${count('done')} done, ${count('waiting')} waiting, ${shown.length} below`];
    }
    const text = [...summary, ...shown.map((j) => {
      const l = this.lines.get(j.name)!;
      return `${j.name.padEnd(this.width)}  ${l.state.padEnd(8)} epoch ${`${l.epoch}/${l.epochs}`.padStart(9)}  step ${`${l.t}/${l.total}`.padStart(17)}  test return ${ret(l.testReturn).padStart(9)}`;
    })];
    process.stdout.write(`${text.join('\n')}\n`);
    this.drawn = text.length;
  }
}

async function statusCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true,
    options: { runs: { type: 'string' }, queue: { type: 'string' }, 'queue-name': { type: 'string' }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    process.stdout.write(sweepUsage);
    return;
  }
  if (positionals.length) throw new UsageError(`sweep status: unexpected argument '${positionals[0]}'`);
  const header = ['job', 'state', 'epoch', 'test return', 'worker', 'error'];
  const rows: string[][] = [];
  if (values.queue !== undefined) {
    const q = queueUrl(values.queue);
    const name = values['queue-name'] ?? defaultQueueName;
    for (const r of await queueStatus(q, name)) {
      const p = r.progress;
      rows.push([r.name, r.state, p.epochs ? `${p.epoch ?? 0}/${p.epochs}` : '-', ret(p.testReturn), p.worker ?? '-', r.error ?? '']);
    }
    console.log(`queue ${name} at ${q.shown}: ${rows.length} jobs`);
  } else {
    const runs = values.runs ?? defaultRuns;
    for (const st of runDirs(runs).map(runState)) {
      rows.push([st.dir.slice(runs.length + 1), st.done ? 'done' : st.epochsDone > 0 ? 'partial' : 'started',
        `${st.epochsDone}/${st.epochs ?? '?'}`, ret(st.testReturns.at(-1)), '-', '']);
    }
    console.log(`${runs}: ${rows.length} run directories`);
  }
  console.log(table(header, rows));
}

/** The run directories (holding a config.json) directly under `runs`. */
function runDirs(runs: string): string[] {
  if (!existsSync(runs)) throw new UsageError(`--runs ${runs}: no such directory`);
  return runDirsUnder(runs);
}

async function reportCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true,
    options: { runs: { type: 'string' }, out: { type: 'string' }, all: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    process.stdout.write(sweepUsage);
    return;
  }
  if (positionals.length) throw new UsageError(`sweep report: unexpected argument '${positionals[0]}'`);
  const runs = values.runs ?? defaultRuns;
  if (!existsSync(runs)) throw new UsageError(`--runs ${runs}: no such directory`);
  const r = sweepReport(runs, { out: values.out ?? runs, includeUnfinished: values.all });
  console.log(r.text);
}

/** A plain-text table with a header rule, columns padded. */
function table(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd();
  return [line(header), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}
