/**
 * A trained policy for inference: the actor of a saved state dict (PyTorch's or softac's
 * names) and nothing else: no optimizer, no targets, no critics, no buffer.
 *
 *   const policy = Policy.load('model.safetensors', { seed: 1 });
 *   policy.act(obs);                             // act_dim values: scale tanh(mu) + shift
 *   policy.act(obs, { deterministic: false });   // a sample of pi(.|obs), from the seeded stream
 *   policy.actBatch(rows);                       // B * act_dim values, row-major
 *
 * A state dict holds no action bounds (Spinning Up keeps act_limit outside it), so they come
 * from the options, else from the file's metadata (ACTION_BOUNDS_KEY), else [-1, 1].
 */
import { Tape } from '../autograd/index.js';
import * as is from '../check/is.js';
import { getKernels, type Kernels } from '../kernels/index.js';
import { loadSafetensors, type NamedTensor } from '../io/safetensors.js';
import { checkStateDict, ParameterSet } from '../nn/params.js';
import { Rng } from '../nn/rng.js';
import { type ActorCriticSizes, actorSizesFromShapes, actorSpecs, actRows, SquashedGaussianMLPActor } from './core.js';
import { type ActionBounds, boundsFromMetadata } from './model.js';

export interface PolicyOptions {
  /** The action box. Default: the file's ACTION_BOUNDS_KEY metadata, else [-1, 1] per dimension. */
  bounds?: ActionBounds;
  /** Seed of the stochastic mode's noise stream (an integer in [0, 2^32)). Default 0. */
  seed?: number;
  /** The kernels to run on. Default: getKernels() (native when the addon loads). */
  kernels?: Kernels;
  /** Accept NaN or infinite weights. Default false: such a model is refused when loaded. */
  allowNonFinite?: boolean;
}

export interface ActOptions {
  /** The mean action scale tanh(mu) + shift (true, the default) or a sample of pi(.|obs). */
  deterministic?: boolean;
}

const POLICY_KEYS = ['bounds', 'seed', 'kernels', 'allowNonFinite'] as const;

/**
 * Anything that acts: a training SAC agent or a loaded Policy. act(obs, true) is the mean
 * action and draws no noise, so a deterministic episode consumes no randomness.
 */
export interface Acting {
  sizes: { obsDim: number };
  act(obs: ArrayLike<number>, deterministic?: boolean): Float32Array;
}

/** Other parts of an MLPActorCritic state dict that a policy may carry and ignores. */
const IGNORED = /^(targ\.|q1\.|q2\.)/;

export class Policy {
  readonly bounds: ActionBounds;
  private readonly tape: Tape;
  private readonly rng: Rng;

  private constructor(readonly sizes: ActorCriticSizes, readonly params: ParameterSet, readonly actor: SquashedGaussianMLPActor,
    bounds: ActionBounds, k: Kernels, seed: number) {
    this.bounds = { low: [...bounds.low], high: [...bounds.high] };
    this.tape = new Tape(k);
    this.rng = new Rng(seed);
  }

  /**
   * The actor (pi.*) of a state dict, sizes read from its shapes. q1.*, q2.* and targ.* may
   * be there and are ignored; any other name, a missing one or a wrong shape is an error
   * naming it. The bounds are options.bounds, else [-1, 1].
   */
  static fromStateDict(tensors: ReadonlyMap<string, NamedTensor>, options: PolicyOptions = {}): Policy {
    checkPolicyOptions('Policy.fromStateDict', options);
    return Policy.build(tensors, {}, options, 'state dict');
  }

  /** The actor of a safetensors file (see fromStateDict), its bounds from its metadata unless given. */
  static load(path: string, options: PolicyOptions = {}): Policy {
    checkPolicyOptions('Policy.load', options);
    const { tensors, metadata } = loadSafetensors(path, { allowNonFinite: options.allowNonFinite ?? false });
    return Policy.build(tensors, metadata, options, path);
  }

  private static build(tensors: ReadonlyMap<string, NamedTensor>, metadata: Record<string, string>, options: PolicyOptions, source: string): Policy {
    const { seed = 0, kernels = getKernels(), allowNonFinite = false } = options;
    const fail = (why: string): never => {
      throw new RangeError(`policy ${source}: ${why}`);
    };
    // The checks of core.ts and params.ts, their errors prefixed with the source.
    const named = <T>(f: () => T): T => {
      try {
        return f();
      } catch (e) {
        return fail((e as Error).message);
      }
    };
    const sizes = named(() => actorSizesFromShapes(new Map([...tensors].map(([n, t]) => [n, t.shape]))));
    if (sizes.obsDim < 1 || sizes.actDim < 1 || sizes.hidden.some((h) => h < 1))
      fail(`the actor's sizes must be positive, got obs_dim ${sizes.obsDim}, hidden [${sizes.hidden.join(', ')}], act_dim ${sizes.actDim}`);
    const specs = actorSpecs(sizes);
    // Before anything is allocated: the shapes are the file's, so the parameters fit in it.
    named(() => checkStateDict(specs, tensors, { allowExtra: (n) => IGNORED.test(n) }));
    if (!allowNonFinite) for (const { name } of specs) checkFinite(name, tensors.get(name)!.data, fail);
    const bounds = options.bounds ?? boundsFromMetadata(metadata, sizes.actDim, fail);
    if (bounds.low.length !== sizes.actDim)
      fail(`the model acts in ${sizes.actDim} dimensions, the environment's action space has ${bounds.low.length}`);
    const params = new ParameterSet(specs);
    params.load(tensors, { allowExtra: (n) => IGNORED.test(n) });
    const actor = named(() => new SquashedGaussianMLPActor(params, '', sizes, bounds.low, bounds.high));
    if (![...actor.scale, ...actor.shift].every(Number.isFinite))
      fail(`the action bounds [${bounds.low.join(', ')}] to [${bounds.high.join(', ')}] overflow float32`);
    return new Policy(sizes, params, actor, bounds, kernels, seed);
  }

  /**
   * Replaces the weights with a state dict's of the same sizes (a newer snapshot of the
   * same training run), all or nothing, with the checks of fromStateDict.
   */
  loadStateDict(tensors: ReadonlyMap<string, NamedTensor>, options: { allowNonFinite?: boolean } = {}): void {
    is.plainObject('Policy.loadStateDict: options', options);
    is.knownKeys('Policy.loadStateDict', options, ['allowNonFinite']);
    const { allowNonFinite = false } = options;
    if (options.allowNonFinite !== undefined) is.boolean("Policy.loadStateDict: option 'allowNonFinite'", allowNonFinite);
    const fail = (why: string): never => {
      throw new RangeError(`policy: ${why}`);
    };
    try {
      checkStateDict(actorSpecs(this.sizes), tensors, { allowExtra: (n) => IGNORED.test(n) });
    } catch (e) {
      fail((e as Error).message);
    }
    if (!allowNonFinite) for (const n of this.params.names) checkFinite(n, tensors.get(n)!.data, fail);
    this.params.load(tensors, { allowExtra: (n) => IGNORED.test(n) });
  }

  /**
   * The action for one observation (obs_dim finite numbers): the deterministic scale
   * tanh(mu) + shift, or with { deterministic: false } (or `false`) a sample drawn from the
   * policy's seeded stream.
   */
  act(obs: ArrayLike<number>, mode: boolean | ActOptions = true): Float32Array {
    const rows = this.rows(obs, 'act', false);
    if (rows.length !== this.sizes.obsDim)
      throw new RangeError(`act: the observation must have ${this.sizes.obsDim} values, got ${rows.length}`);
    return this.checked(actRows(this.tape, this.actor, rows, 1, this.sizes.obsDim, this.sizes.actDim, this.noise(mode)), 'act');
  }

  /**
   * Actions for B observations in one forward pass. `obs` is either B rows of obs_dim
   * numbers, or one flat array of B * obs_dim numbers, row-major. Returns B * act_dim values,
   * row-major (row i is act(obs row i)); samples use the same stream as B calls of act().
   */
  actBatch(obs: ArrayLike<number> | readonly ArrayLike<number>[], mode: boolean | ActOptions = true): Float32Array {
    const { obsDim, actDim } = this.sizes;
    const flat = this.rows(obs, 'actBatch', true);
    if (flat.length % obsDim !== 0)
      throw new RangeError(`actBatch: a flat batch must hold B * ${obsDim} values (obs_dim ${obsDim}, row-major), got ${flat.length}`);
    const B = flat.length / obsDim;
    if (B === 0) return new Float32Array(0);
    return this.checked(actRows(this.tape, this.actor, flat, B, obsDim, actDim, this.noise(mode)), 'actBatch');
  }

  /** Restarts the stochastic mode's noise stream from `seed`. */
  reseed(seed: number): void {
    this.rng.seed(seed);
  }

  /** Even finite weights can overflow float32 on some input (then Inf - Inf): never return NaN. */
  private checked(a: Float32Array, fn: string): Float32Array {
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) {
        const row = Math.floor(i / this.sizes.actDim), where = fn === 'act' ? '' : ` of row ${row}`;
        throw new RangeError(`${fn}: action ${i % this.sizes.actDim}${where} is ${a[i]}: the weights give a non-finite result on this observation`);
      }
    }
    return a;
  }

  private noise(mode: boolean | ActOptions): Rng | null {
    if (typeof mode === 'boolean') return mode ? null : this.rng;
    if (mode === null || typeof mode !== 'object') throw new TypeError(`act: the mode must be a boolean or { deterministic }, got ${String(mode)}`);
    is.knownKeys('act', mode, ['deterministic']);
    if (mode.deterministic !== undefined) is.boolean("act: option 'deterministic'", mode.deterministic);
    return (mode.deterministic ?? true) ? null : this.rng;
  }

  /**
   * The observations as one Float32Array, every value checked: a typed array or an array of
   * numbers (flat), or for a batch also an array of rows of obs_dim numbers each.
   */
  private rows(obs: unknown, fn: string, batch: boolean): Float32Array {
    const what = (v: unknown) => (Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v);
    const isArrayLike = (v: unknown): v is ArrayLike<unknown> =>
      ArrayBuffer.isView(v) ? !(v instanceof DataView) : Array.isArray(v);
    if (!isArrayLike(obs)) throw new TypeError(`${fn}: the observation must be an array or a typed array, got ${what(obs)}`);
    const { obsDim } = this.sizes;
    const nested = batch && Array.isArray(obs) && obs.length > 0 && typeof obs[0] !== 'number';
    const out = new Float32Array(nested ? obs.length * obsDim : obs.length);
    const copy = (src: ArrayLike<unknown>, at: number, where: string) => {
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        if (typeof v !== 'number') throw new TypeError(`${fn}: ${where}value ${i} must be a number, got ${what(v)}`);
        if (!Number.isFinite(v)) throw new RangeError(`${fn}: ${where}value ${i} must be finite, got ${v}`);
        out[at + i] = v;
      }
    };
    if (!nested) {
      copy(obs, 0, 'observation ');
      return out;
    }
    for (let r = 0; r < obs.length; r++) {
      const row = (obs as unknown[])[r];
      if (!isArrayLike(row)) throw new TypeError(`${fn}: row ${r} must be an array or a typed array of ${obsDim} numbers, got ${what(row)}`);
      if (row.length !== obsDim) throw new RangeError(`${fn}: row ${r} must have ${obsDim} values (obs_dim), got ${row.length}`);
      copy(row, r * obsDim, `row ${r}, `);
    }
    return out;
  }
}

/** PolicyOptions, checked before a file is read: known keys, types and ranges. */
function checkPolicyOptions(where: string, o: unknown): asserts o is PolicyOptions {
  is.plainObject(`${where}: options`, o);
  is.knownKeys(where, o, POLICY_KEYS);
  const subject = (key: string) => `${where}: option '${key}'`;
  if (o.seed !== undefined) is.integer(subject('seed'), o.seed, 0, 0xffffffff);
  if (o.allowNonFinite !== undefined) is.boolean(subject('allowNonFinite'), o.allowNonFinite);
  if (o.kernels !== undefined && (o.kernels === null || typeof (o.kernels as { info?: unknown }).info !== 'function'))
    throw is.invalidParameterError(subject('kernels'), 'a Kernels object (from getKernels())', o.kernels, 'type');
  if (o.bounds !== undefined) {
    const b = o.bounds as { low?: unknown; high?: unknown } | null;
    const numbers = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    is.plainObject(subject('bounds'), b);
    if (!numbers(b.low) || !numbers(b.high) || (b.low as number[]).length !== (b.high as number[]).length)
      throw new TypeError(`${subject('bounds')} must be { low, high }: two arrays of finite numbers of the same length, got ${JSON.stringify(b)}`);
  }
}

function checkFinite(name: string, data: Float32Array, fail: (why: string) => never): void {
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i])) fail(`'${name}' has a non-finite value ${data[i]} at index ${i} (pass { allowNonFinite: true } to load it anyway)`);
}
