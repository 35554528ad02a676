/**
 * Every child process a test starts goes through here, under a time limit: a process still
 * running at the limit is killed (SIGKILL) and the test fails with its command line and the
 * word "hung", so a process that never exits cannot stall the suite.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The softac command (its built entry point). */
export const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface RunOptions {
  /** Kill the process and fail after this long (default 60 s: a tiny run takes a few seconds on a busy machine). */
  timeoutMs?: number;
  /** The child's environment (default: the test's, without NO_COLOR and FORCE_COLOR, which make Node warn when both are set). */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed (default: no stdin). */
  input?: string;
  /** Async runs only: called with each chunk of stdout as it arrives (to signal the child midway, say). */
  onStdout?: (chunk: string, child: ChildProcess) => void;
}

export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const defaultTimeoutMs = 60_000;

/** The test's environment without the colour variables. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...env } = process.env;
  return env;
}

/** The command line as a person would type it: node for this Node, long arguments cut. */
function commandLine(command: string, args: readonly string[]): string {
  const shown = (a: string) => (a.length > 200 ? `${a.slice(0, 200)}...` : a);
  return [command === process.execPath ? 'node' : command, ...args.map(shown)].join(' ');
}

const hung = (command: string, args: readonly string[], timeoutMs: number) =>
  new Error(`hung: ${commandLine(command, args)} was still running after ${timeoutMs} ms and was killed`);

/** A child started in the background: `done` settles as run's promise does (a "hung" error past timeoutMs). */
export interface Started {
  child: ChildProcess;
  done: Promise<RunResult>;
  /** stdout and stderr so far. */
  output(): string;
}

/** Starts `command args` and returns at once; the child is still killed (and `done` rejects) if it outlives timeoutMs. */
export function start(command: string, args: readonly string[], o: RunOptions = {}): Started {
  const timeoutMs = o.timeoutMs ?? defaultTimeoutMs;
  const child = spawn(command, args, { env: o.env ?? cleanEnv(), stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  const done = new Promise<RunResult>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      o.onStdout?.(d, child);
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (o.input !== undefined) child.stdin!.end(o.input);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(hung(command, args, timeoutMs));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
  return { child, done, output: () => stdout + stderr };
}

/** Runs `command args` to its end; rejects with a "hung" error if it outlives timeoutMs. */
export function run(command: string, args: readonly string[], o: RunOptions = {}): Promise<RunResult> {
  return start(command, args, o).done;
}

/** run, blocking: for tests that are synchronous. Throws a "hung" error if the process outlives timeoutMs. */
export function runSync(command: string, args: readonly string[], o: Omit<RunOptions, 'onStdout'> = {}): RunResult {
  const timeoutMs = o.timeoutMs ?? defaultTimeoutMs;
  const r = spawnSync(command, args, {
    env: o.env ?? cleanEnv(), input: o.input, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024,
  });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') throw hung(command, args, timeoutMs);
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** `softac args`, as the built CLI. */
export const runCli = (args: readonly string[], o?: RunOptions) => run(process.execPath, [cli, ...args], o);
export const startCli = (args: readonly string[], o?: RunOptions) => start(process.execPath, [cli, ...args], o);
export const runCliSync = (args: readonly string[], o?: Omit<RunOptions, 'onStdout'>) => runSync(process.execPath, [cli, ...args], o);
