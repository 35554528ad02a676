/**
 * A training run's resume state: the JSON part of checkpoint.safetensors (TrainerState,
 * written by Trainer.saveState beside the tensors) and its schema check, which runs before
 * a restore reads any field.
 */
import * as is from '../check/is.js';
import type { SacOptions } from '../sac/options.js';
import type { AgentState } from '../sac/sac.js';
import type { EpochState, EpochStats } from './epoch-logger.js';

/** The JSON part of a training checkpoint (see Trainer.saveState). */
export interface TrainerState {
  envName: string;
  seed: number;
  options: SacOptions;
  obsDim: number;
  bounds: { low: number[]; high: number[] };
  /** Environment steps taken. */
  t: number;
  episodes: number;
  /** The open episode: its observation, return and length, and the env's own state. */
  obs: number[];
  epRet: number;
  epLen: number;
  env: unknown;
  rng: { explore: number[]; sampler: number[] };
  /** The exploration noise held between draws (exploreHold > 1): a random action, or the policy's eps. */
  heldNoise?: number[];
  agent: AgentState;
  buffer: { ptr: number; size: number };
  /** The unfinished epoch's accumulators. */
  epoch: EpochState;
  history: EpochStats[];
  /** Seconds of training before this checkpoint. */
  elapsed: number;
}

/**
 * Checks the shape of a checkpoint's JSON state before anything reads it: every field a
 * restore touches, by its path, with what was expected and what came. (A file can hold any
 * JSON: without this a missing field would surface as a TypeError deep inside.)
 */
export function checkTrainerState(raw: unknown): TrainerState {
  // A file's contents, not a caller's argument: every mismatch is a RangeError.
  const fail = (path: string, want: string, got: unknown): never => {
    throw is.invalidParameterError(`checkpoint: '${path}'`, want, got);
  };
  const obj = (path: string, v: unknown): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(path, 'an object', v);
  const num = (path: string, v: unknown, o: { int?: boolean; min?: number; finite?: boolean } = {}): number => {
    const want = `${o.int ? 'an integer' : o.finite ? 'a finite number' : 'a number'}${o.min !== undefined ? ` >= ${o.min}` : ''}`;
    if (typeof v !== 'number' || (o.int && !Number.isSafeInteger(v)) || (o.finite && !Number.isFinite(v)) || (o.min !== undefined && !(v >= o.min))) fail(path, want, v);
    return v as number;
  };
  const nums = (path: string, v: unknown, o: { length?: number; int?: boolean; finite?: boolean; min?: number } = {}): number[] => {
    if (!Array.isArray(v) || (o.length !== undefined && v.length !== o.length)) fail(path, `an array of ${o.length ?? 'any number of'} numbers`, v);
    (v as unknown[]).forEach((x, i) => num(`${path}[${i}]`, x, o));
    return v as number[];
  };
  const stat = (path: string, v: unknown) => {
    const st = obj(path, v);
    for (const k of ['average', 'std', 'max', 'min']) num(`${path}.${k}`, st[k]);
  };
  const moments = (path: string, v: unknown) => {
    const m = obj(path, v);
    num(`${path}.n`, m.n, { int: true, min: 0 });
    for (const k of ['sum', 'sumSq', 'min', 'max']) num(`${path}.${k}`, m[k]);
  };
  const s = obj('state', raw);
  if (typeof s.envName !== 'string') fail('envName', 'a string', s.envName);
  num('seed', s.seed, { int: true, min: 0 });
  obj('options', s.options);
  num('obsDim', s.obsDim, { int: true, min: 1 });
  const b = obj('bounds', s.bounds);
  nums('bounds.low', b.low, { finite: true });
  nums('bounds.high', b.high, { finite: true, length: (b.low as number[]).length });
  for (const k of ['t', 'episodes', 'epLen']) num(k, s[k], { int: true, min: 0 });
  nums('obs', s.obs, { finite: true });
  num('epRet', s.epRet, { finite: true });
  const rng = obj('rng', s.rng);
  nums('rng.explore', rng.explore, { length: 4, int: true, min: 0 }); // uint32 words (Rng.setState checks the rest)
  nums('rng.sampler', rng.sampler, { length: 4, int: true, min: 0 }); // uint32 words (Rng.setState checks the rest)
  if (s.heldNoise !== undefined) nums('heldNoise', s.heldNoise, { finite: true });
  const agent = obj('agent', s.agent);
  nums('agent.rng', agent.rng, { length: 4, int: true, min: 0 }); // uint32 words (Rng.setState checks the rest)
  const steps = obj('agent.adamSteps', agent.adamSteps);
  num('agent.adamSteps.pi', steps.pi, { int: true, min: 0 });
  num('agent.adamSteps.q', steps.q, { int: true, min: 0 });
  if (steps.alpha !== null) num('agent.adamSteps.alpha', steps.alpha, { int: true, min: 0 });
  num('agent.targetUpdates', agent.targetUpdates, { int: true, min: 0 });
  const buf = obj('buffer', s.buffer);
  num('buffer.ptr', buf.ptr, { int: true, min: 0 });
  num('buffer.size', buf.size, { int: true, min: 0 });
  const e = obj('epoch', s.epoch);
  nums('epoch.rets', e.rets);
  nums('epoch.lens', e.lens, { int: true });
  for (const k of ['updates', 'piUpdates']) num(`epoch.${k}`, e[k], { int: true, min: 0 });
  for (const k of ['lossPiSum', 'lossQSum']) num(`epoch.${k}`, e[k]);
  for (const k of ['q1', 'q2', 'logPi']) moments(`epoch.${k}`, e[k]);
  if (!Array.isArray(s.history)) fail('history', 'an array of epoch rows', s.history);
  (s.history as unknown[]).forEach((h, i) => {
    const row = obj(`history[${i}]`, h);
    for (const k of ['epoch', 'totalEnvInteracts']) num(`history[${i}].${k}`, row[k], { int: true, min: 0 });
    for (const k of ['epLen', 'testEpLen', 'lossPi', 'lossQ', 'alpha', 'time']) num(`history[${i}].${k}`, row[k]);
    for (const k of ['epRet', 'testEpRet', 'q1Vals', 'q2Vals', 'logPi']) stat(`history[${i}].${k}`, row[k]);
  });
  num('elapsed', s.elapsed, { finite: true, min: 0 });
  return s as unknown as TrainerState;
}
