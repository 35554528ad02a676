/**
 * A sweep's plan and its grid: envs x settings x seeds, each cell one ordinary training run
 * (a SweepJob) with its own run directory, named from its settings. Every setting is checked
 * against SacOptions (an unknown key gets the closest valid one), and an empty grid or two
 * jobs that would share a run directory are refused before anything runs.
 */
import { basename } from 'node:path';

import * as is from '../../check/is.js';
import { builtinEnvs, envNames, mujocoEnvs } from '../../envs/index.js';
import { envSpecOf } from '../../envs/load.js';
import { optionKeys, resolveOptions, type SacOptions } from '../../sac/options.js';

/** A sweep as written in a plan file (JSON) or given as flags. */
export interface SweepPlan {
  /** Built-in env names or paths to env modules. */
  env: string[];
  /** Seeds: a list, or a string such as "0-4" or "0,2,7". */
  seeds: number[] | string;
  /** The grid: each option with the values to try (every combination runs). */
  set?: Record<string, unknown[]>;
  /** Options every job shares (not in the run directory's name). */
  options?: Record<string, unknown>;
}

/** One job of a sweep: an ordinary training run. Plain JSON (it travels through Redis). */
export interface SweepJob {
  /** The run directory's name under the runs root: env, settings, seed. */
  name: string;
  env: string;
  seed: number;
  /** The grid's values for this job (SacOptions keys), as named in the run directory. */
  settings: Record<string, unknown>;
  /** Every option, resolved. */
  options: SacOptions;
}

const PLAN_KEYS = ['env', 'seeds', 'set', 'options'] as const;

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** "0-4", "0,2,7", "0-2,9" or a list: the seeds, each an integer from 0 to 2^32 - 1, in order, no repeats. */
export function parseSeeds(subject: string, spec: number[] | string): number[] {
  const expected = 'a list such as 0-4 or 0,2,7 (integers from 0 to 4294967295)';
  let seeds: number[];
  if (Array.isArray(spec)) seeds = spec;
  else if (typeof spec === 'string') {
    seeds = [];
    for (const part of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(part);
      if (!m) throw is.invalidParameterError(subject, expected, spec);
      const lo = Number(m[1]), hi = Number(m[2] ?? m[1]);
      if (hi < lo || hi - lo > 100_000) throw is.invalidParameterError(subject, expected, spec);
      for (let s = lo; s <= hi; s++) seeds.push(s);
    }
  } else throw is.invalidParameterError(subject, expected, spec, 'type');
  for (const s of seeds) is.integer(`${subject}: seed`, s, 0, 0xffffffff);
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw new RangeError(`${subject}: seed ${dup} is listed twice`);
  return seeds;
}

/** An option key as a plan may write it (lr, batch-size or batchSize), checked against SacOptions. */
export function optionKey(subject: string, key: string): keyof SacOptions {
  if (key === 'seed' || key === 'env') throw new RangeError(`${subject}: '${key}' is not a setting; give it with ${key === 'seed' ? '--seeds (plan: "seeds")' : '--env (plan: "env")'}`);
  const k = camel(key);
  is.knownKeys(subject, { [k]: true }, optionKeys.map(String));
  return k as keyof SacOptions;
}

/** How a value is written in a run directory's name: 0.0003, auto, 64x64. */
function valueName(v: unknown): string {
  if (Array.isArray(v)) return v.map(String).join('x');
  return String(v);
}

/** An env by its name (built in) or module path (made absolute); an unknown name gets the closest one. */
function checkEnv(subject: string, env: unknown): string {
  is.string(subject, env);
  if (builtinEnvs[env] || mujocoEnvs[env]) return env;
  if (/[/\\]|\.m?js$/.test(env)) return envSpecOf(env);
  throw new RangeError(`${subject}: unknown env '${env}': ${is.closest(env, envNames)} (an env may also be a path to a module)`);
}

/** The run directory's name: <env>[-<key>=<value>...]-seed<N>, as `softac bench learn` names a run with no settings. */
export function jobName(env: string, settings: Record<string, unknown>, seed: number): string {
  const parts = Object.entries(settings).map(([k, v]) => `-${kebab(k)}=${valueName(v)}`);
  return `${basename(env).replace(/\.m?js$/, '')}${parts.join('')}-seed${seed}`;
}

/**
 * The jobs of a plan, in order: env, then the settings (the first key varying slowest), then
 * the seed. Errors name the plan's field ('sweep: set.lr', 'sweep: options.gamma').
 */
export function expandPlan(plan: SweepPlan, where = 'sweep'): SweepJob[] {
  is.plainObject(`${where}: the plan`, plan);
  is.knownKeys(where, plan, PLAN_KEYS);
  if (!Array.isArray(plan.env)) throw is.invalidParameterError(`${where}: env`, 'a list of env names', plan.env, 'type');
  const envs = plan.env.map((e, i) => checkEnv(`${where}: env[${i}]`, e));
  if (envs.length === 0) throw new RangeError(`${where}: the grid is empty: no env given`);
  if (plan.seeds === undefined) throw new TypeError(`${where}: seeds must be given (such as 0-4)`);
  const seeds = parseSeeds(`${where}: seeds`, plan.seeds);
  if (seeds.length === 0) throw new RangeError(`${where}: the grid is empty: no seed given`);

  const fixed: Record<string, unknown> = {};
  if (plan.options !== undefined) {
    is.plainObject(`${where}: options`, plan.options);
    for (const [key, v] of Object.entries(plan.options)) fixed[optionKey(`${where}: options`, key)] = v;
  }
  const axes: [keyof SacOptions, unknown[]][] = [];
  if (plan.set !== undefined) {
    is.plainObject(`${where}: set`, plan.set);
    for (const [key, values] of Object.entries(plan.set)) {
      const k = optionKey(`${where}: set`, key);
      if (!Array.isArray(values)) throw is.invalidParameterError(`${where}: set.${key}`, 'a list of values', values, 'type');
      if (values.length === 0) throw new RangeError(`${where}: the grid is empty: set.${key} has no values`);
      if (k in fixed) throw new RangeError(`${where}: '${key}' is both a fixed option and a setting of the grid; give it once`);
      if (axes.some(([a]) => a === k)) throw new RangeError(`${where}: set.${key} is given twice`);
      const dup = values.find((v, i) => values.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) !== i);
      if (dup !== undefined) throw new RangeError(`${where}: set.${key} lists the value ${JSON.stringify(dup)} twice (two jobs would share a run directory)`);
      axes.push([k, values]);
    }
  }
  // Each fixed option and each value of the grid checked once, by its name in the plan.
  const check = (subject: string, partial: Record<string, unknown>) => {
    try {
      return resolveOptions(partial as Partial<SacOptions>);
    } catch (e) {
      const E = e instanceof TypeError ? TypeError : RangeError;
      throw new E(`${where}: ${subject}: ${(e as Error).message}`);
    }
  };
  check('options', fixed);
  for (const [k, values] of axes) for (const v of values) check(`set.${k}`, { ...fixed, [k]: v });

  let cells: Record<string, unknown>[] = [{}];
  for (const [k, values] of axes) cells = cells.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  const jobs: SweepJob[] = [];
  const byName = new Map<string, SweepJob>();
  for (const env of envs) {
    for (const settings of cells) {
      const options = check(`the settings ${JSON.stringify(settings)}`, { ...fixed, ...settings });
      for (const seed of seeds) {
        const job: SweepJob = { name: jobName(env, settings, seed), env, seed, settings, options };
        const other = byName.get(job.name);
        if (other) {
          throw new RangeError(`${where}: two jobs would share the run directory '${job.name}': ${describeJob(other)} and ${describeJob(job)}`
            + ' (the same env file name, or values that print alike); give each a distinct setting');
        }
        byName.set(job.name, job);
        jobs.push(job);
      }
    }
  }
  return jobs;
}

/** env, settings and seed, as one line. */
export function describeJob(j: SweepJob): string {
  const s = Object.entries(j.settings).map(([k, v]) => ` ${kebab(k)}=${valueName(v)}`).join('');
  return `${j.env}${s} seed ${j.seed}`;
}

/** A SweepJob received from elsewhere (a queue), checked field by field before it runs. */
export function checkJob(where: string, j: unknown): SweepJob {
  is.plainObject(where, j);
  is.knownKeys(where, j, ['name', 'env', 'seed', 'settings', 'options']);
  is.string(`${where}: name`, j.name);
  if (j.name === '' || j.name.startsWith('.') || /[/\\]/.test(j.name)) throw is.invalidParameterError(`${where}: name`, 'a directory name (no slash, not starting with a dot)', j.name);
  is.string(`${where}: env`, j.env);
  is.integer(`${where}: seed`, j.seed, 0, 0xffffffff);
  is.plainObject(`${where}: settings`, j.settings);
  const options = resolveOptions(j.options as Partial<SacOptions>, `${where}: options`);
  return { name: j.name, env: j.env, seed: j.seed, settings: j.settings, options };
}
