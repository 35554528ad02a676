/**
 * `softac train`: flags generated from SacOptions (each field in kebab case, with its
 * default and its doc line), plus --env, --seed, --threads, --backend.
 */
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { builtinEnvs, type Env } from '../envs/index.js';
import { getKernels, type BackendChoice } from '../kernels/index.js';
import type { CurvePoint } from '../io/curve.js';
import { RunDir } from '../io/run-dir.js';
import { ProgressLine } from './progress.js';
import { defaults, optionDocs, resolveOptions, type SacOptions } from '../sac/options.js';
import type { SAC } from '../sac/sac.js';
import { type EpochStats, type Stat, train } from '../sac/train.js';

/** A bad command line: printed with a pointer to the usage, exit code 2. */
export class UsageError extends Error {}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const optionKeys = Object.keys(optionDocs) as (keyof SacOptions)[];

export function trainUsage(): string {
  const lines = optionKeys.map((key) => {
    const d = defaults[key];
    const shown = d === undefined ? '(lr)' : Array.isArray(d) ? d.join(',') : String(d);
    return `  ${`--${kebab(key)}`.padEnd(24)} ${optionDocs[key]} [${shown}]`;
  });
  return `usage: softac train [options]

  --env NAME|PATH          ${Object.keys(builtinEnvs).join(' or ')}, or a path to an ES module whose
                           default export is an Env class or a factory [Pendulum-v1]
  --seed N                 seed of everything random [0]
  --threads N              native kernel threads [all cores]
  --backend B              js, native or auto [auto]
  --out DIR                where config.json, progress.txt, learning-curve.svg and
                           model.safetensors go
                           [runs/<env>-<date>-<time>]
${lines.join('\n')}
`;
}

function parseValue(key: keyof SacOptions, raw: string): unknown {
  const flag = `--${kebab(key)}`;
  if (key === 'hidden') {
    const hs = raw.split(',').map((x) => Number(x.trim()));
    if (!hs.every((h) => Number.isInteger(h) && h >= 1)) throw new UsageError(`${flag} must be a comma-separated list of positive integers like 256,256, got '${raw}'`);
    return hs;
  }
  if (key === 'alpha' && raw === 'auto') return 'auto';
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${flag} must be a number${key === 'alpha' ? " or 'auto'" : ''}, got '${raw}'`);
  return v;
}

/** Loads --env: a built-in name, or a module whose default export is a class or factory. */
export async function loadEnvFactory(spec: string): Promise<() => Env> {
  const builtin = builtinEnvs[spec];
  if (builtin) return builtin;
  if (!/[/\\]|\.m?js$/.test(spec)) throw new UsageError(`--env: unknown environment '${spec}' (built in: ${Object.keys(builtinEnvs).join(', ')}; or a path to a module)`);
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(resolve(spec)).href);
  } catch (e) {
    throw new UsageError(`--env: cannot load the module '${spec}': ${(e as Error).message}`);
  }
  const exp = mod.default;
  if (typeof exp !== 'function') throw new UsageError(`--env: '${spec}' must default-export an Env class or a factory function, got ${typeof exp}`);
  const isClass = /^class\b/.test(Function.prototype.toString.call(exp));
  const make = () => (isClass ? new (exp as new () => Env)() : (exp as () => Env)());
  const env = make();
  const problems: string[] = [];
  if (!Array.isArray(env?.observationSpace?.shape) || !Number.isInteger(env.observationSpace.shape[0])) problems.push('observationSpace.shape must be [obs_dim]');
  const as = env?.actionSpace;
  if (!as || !Array.isArray(as.low) || !Array.isArray(as.high) || as.low.length !== as.shape?.[0] || as.high.length !== as.shape?.[0])
    problems.push('actionSpace needs shape [act_dim] and low/high arrays of act_dim numbers');
  if (typeof env?.reset !== 'function' || typeof env?.step !== 'function') problems.push('reset() and step() must be functions');
  if (problems.length) throw new UsageError(`--env '${spec}': ${problems.join('; ')}`);
  return make;
}

const num = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

const withMinAndMax = (name: string, x: Stat): [string, string][] =>
  [[`Average${name}`, num(x.average)], [`Std${name}`, num(x.std)], [`Max${name}`, num(x.max)], [`Min${name}`, num(x.min)]];

/** One epoch's logged values in Spinning Up's column names and order. */
export function epochRow(s: EpochStats): [string, string][] {
  return [
    ['Epoch', String(s.epoch)],
    ['AverageEpRet', num(s.epRet.average)], ['StdEpRet', num(s.epRet.std)], ['MaxEpRet', num(s.epRet.max)], ['MinEpRet', num(s.epRet.min)],
    ['AverageTestEpRet', num(s.testEpRet.average)], ['StdTestEpRet', num(s.testEpRet.std)], ['MaxTestEpRet', num(s.testEpRet.max)], ['MinTestEpRet', num(s.testEpRet.min)],
    ['EpLen', num(s.epLen, 1)], ['TestEpLen', num(s.testEpLen, 1)], ['TotalEnvInteracts', String(s.totalEnvInteracts)],
    ...withMinAndMax('Q1Vals', s.q1Vals), ...withMinAndMax('Q2Vals', s.q2Vals), ...withMinAndMax('LogPi', s.logPi),
    ['LossPi', num(s.lossPi)], ['LossQ', num(s.lossQ)], ['Alpha', num(s.alpha, 4)], ['Time', num(s.time, 1)],
  ];
}

/** Spinning Up's epoch table, one block per epoch. */
export function epochTable(s: EpochStats): string {
  const rows = epochRow(s);
  const bar = '-'.repeat(41);
  return [bar, ...rows.map(([k, v]) => `|${k.padStart(19)} |${v.padStart(18)} |`), bar].join('\n');
}

export async function trainCommand(argv: string[], preset: Partial<SacOptions> = {}): Promise<void> {
  const options = Object.fromEntries(optionKeys.map((k) => [kebab(k), { type: 'string' as const }]));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...options, env: { type: 'string', default: 'Pendulum-v1' }, seed: { type: 'string', default: '0' },
      threads: { type: 'string' }, backend: { type: 'string', default: 'auto' }, out: { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write(trainUsage());
    return;
  }
  if (positionals.length) throw new UsageError(`train: unexpected argument '${positionals[0]}'`);
  const partial: Record<string, unknown> = { ...preset };
  for (const k of optionKeys) {
    const raw = (values as unknown as Record<string, string | undefined>)[kebab(k)];
    if (raw !== undefined) partial[k] = parseValue(k, raw);
  }
  let opts: SacOptions;
  try {
    opts = resolveOptions(partial as Partial<SacOptions>);
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/SAC option '(\w+)'/, (_, k: string) => `--${kebab(k)}`));
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be an integer from 0 to 4294967295, got '${values.seed}'`);
  const backend = values.backend as string;
  if (!['js', 'native', 'auto'].includes(backend)) throw new UsageError(`--backend must be js, native or auto, got '${backend}'`);
  const k = getKernels(backend as BackendChoice);
  if (values.threads !== undefined) {
    const t = Number(values.threads);
    if (!Number.isInteger(t) || t < 1 || t > 256) throw new UsageError(`--threads must be an integer from 1 to 256, got '${values.threads}'`);
    k.setNumThreads(t);
  }
  const envName = values.env as string;
  const makeEnv = await loadEnvFactory(envName);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const run = new RunDir(values.out ?? join('runs', `${basename(envName).replace(/\.m?js$/, '')}-${stamp}`));
  const info = k.info();
  run.writeConfig({ env: envName, seed, backend: info.backend, path: info.path, threads: info.threads, options: opts });
  console.log(`softac: SAC on ${envName}, seed ${seed}, ${opts.epochs} epochs of ${opts.stepsPerEpoch} steps; kernels: ${info.backend}${info.backend === 'native' ? ` ${info.path}, ${info.threads} threads` : ''}; run directory ${run.dir}`);
  let agent: SAC | null = null;
  const curve: CurvePoint[] = [];
  const progress = new ProgressLine(process.stderr);
  train({ k, makeEnv, envName, options: opts, seed, onAgent: (a) => { agent = a; } }, {
    onStep: (t, total) => progress.update(t, total),
    onEpoch: (s) => {
      progress.clear();
      console.log(epochTable(s));
      run.addProgress(epochRow(s));
      curve.push({ steps: s.totalEnvInteracts, train: s.epRet.average, test: s.testEpRet.average });
      run.writeCurve(curve, `SAC on ${basename(envName)} (seed ${seed})`);
      if (agent) run.writeModel(agent);
    },
  });
  progress.clear();
  console.log(`softac: done; model.safetensors, progress.txt, learning-curve.svg and config.json are in ${run.dir}`);
}
