/**
 * MuJoCo env steps per second, and what the env wrapper costs: each env's step() against a
 * raw loop over the very same model and data (ctrl written, mj_step frameSkip times).
 *
 * The two run in alternating short chunks from the same saved state with the same actions
 * (the raw chunk resets where the env chunk's episodes ended), so both simulate the
 * identical trajectory (same contacts, same solver work) and differ only by the wrapper:
 * the action checks, the warning check, the reward, the termination and a fresh
 * observation array. Time is this process's CPU time, so the time a busy shared machine
 * gives to other processes is not counted (on an idle machine it equals wall time); each
 * pair runs back to back, and the medians over the pairs are reported.
 */
import { loadMujoco, type MujocoEnv, mujocoEnvs } from '../src/envs/mujoco/index.js';
import { Rng } from '../src/nn/rng.js';

export interface EnvsBenchRow {
  env: string;
  /** env.step() calls per (CPU) second, resets included. */
  steps_per_s: number;
  /** The raw loop's env steps (frameSkip mj_step calls each) per second, the same resets included. */
  raw_steps_per_s: number;
  /** Extra time per step in the wrapper: the median over pairs of env time / raw time, minus 1. */
  overhead: number;
}

export interface EnvsBenchOptions {
  /** Seconds of measurement per env. */
  seconds: number;
  onRow?(row: EnvsBenchRow): void;
}

/** Env steps per chunk; a pair of chunks takes a few milliseconds. */
const CHUNK = 20;
const POOL = 256;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Seconds of CPU this process has used (microsecond resolution on Linux). */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** One env chunk then the same chunk raw, from the same state; returns both times in seconds. */
function pair(env: MujocoEnv, actions: Float32Array[], first: number): [number, number] {
  const { mj, model, data, frameSkip } = env;
  const start = env.getState(), resets: number[] = [];
  let t = cpuSeconds();
  for (let i = first; i < first + CHUNK; i++) {
    const r = env.step(actions[i % POOL]!);
    if (r.terminated || r.truncated) {
      env.reset(i + 1);
      resets.push(i);
    }
  }
  const envS = cpuSeconds() - t;
  const end = env.getState();
  env.setState(start);
  let ctrl = data.ctrl as Float64Array, next = 0;
  t = cpuSeconds();
  for (let i = first; i < first + CHUNK; i++) {
    ctrl.set(actions[i % POOL]!);
    for (let k = 0; k < frameSkip; k++) mj.mj_step(model, data);
    if (resets[next] === i) {
      env.reset(i + 1);
      ctrl = data.ctrl as Float64Array;
      next++;
    }
  }
  const rawS = cpuSeconds() - t;
  // The comparison holds only if the raw loop simulated what the env did.
  const raw = env.getState();
  if (raw.qpos.some((q, i) => !Object.is(q, end.qpos[i])) || raw.qvel.some((v, i) => !Object.is(v, end.qvel[i])))
    throw new Error(`benchEnvs: ${env.name}'s raw loop ended in another state than its env chunk (steps ${first} to ${first + CHUNK - 1})`);
  // This puts back the env's own counters too (its step count, the next x).
  env.setState(end);
  return [envS, rawS];
}

export async function benchEnvs(o: EnvsBenchOptions): Promise<EnvsBenchRow[]> {
  if (!(o.seconds > 0)) throw new RangeError(`benchEnvs: 'seconds' must be a positive number, got ${o.seconds}`);
  await loadMujoco();
  const rows: EnvsBenchRow[] = [];
  for (const [name, Env] of Object.entries(mujocoEnvs)) {
    const env = new Env();
    try {
      const { low, high } = env.actionSpace, rng = new Rng(0);
      const actions = Array.from({ length: POOL }, () => Float32Array.from(low, (lo, j) => rng.uniformIn(lo, high[j]!)));
      env.reset(0);
      pair(env, actions, 0); // warm-up
      const envTimes: number[] = [], rawTimes: number[] = [], ratios: number[] = [];
      const until = performance.now() + 1000 * o.seconds;
      for (let first = CHUNK; performance.now() < until || ratios.length < 5; first += CHUNK) {
        const [e, r] = pair(env, actions, first);
        envTimes.push(e);
        rawTimes.push(r);
        ratios.push(e / r);
      }
      const row = { env: name, steps_per_s: CHUNK / median(envTimes), raw_steps_per_s: CHUNK / median(rawTimes), overhead: median(ratios) - 1 };
      rows.push(row);
      o.onRow?.(row);
    } finally {
      env.close();
    }
  }
  return rows;
}

/** A row of the human table; `envsTableHeader` gives the matching header lines. */
export function envsTableRow(r: EnvsBenchRow): string {
  return `| ${r.env.padEnd(15)} | ${r.steps_per_s.toFixed(0).padStart(11)} | ${r.raw_steps_per_s.toFixed(0).padStart(15)} | ${`${(100 * r.overhead).toFixed(1)}%`.padStart(8)} |`;
}

export const envsTableHeader =
  '| env             | env steps/s | raw mj_step env | overhead |\n'
  + '|-----------------|------------:|----------------:|---------:|';
