/**
 * Parameters in one flat Float32Array, gradients in another of the same layout, with a
 * named Tensor view per parameter (names as PyTorch's state dict). Adam, polyak and
 * zero-grad then run as one kernel call over a contiguous slice.
 */
import * as is from '../check/is.js';
import type { Kernels } from '../kernels/index.js';
import { shapeStr, Tensor } from '../autograd/index.js';

export interface ParamSpec {
  name: string;
  shape: readonly number[];
}

export interface StateDictOptions {
  /** Which names outside the specs a state dict may hold (ignored); default: any. */
  allowExtra?: (name: string) => boolean;
}

/** The most parameters one ParameterSet holds (see its constructor). */
export const MAX_PARAMETERS = 2 ** 28;

/** Up to 10 names, quoted, for an error message. */
function listNames(names: string[]): string {
  const shown = names.slice(0, 10).map((n) => `'${n.length > 80 ? `${n.slice(0, 77)}...` : n}'`).join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}

/**
 * Checks a state dict against specs without allocating anything: every spec's name present
 * with the same shape and as many values, and no names outside the specs but those
 * `allowExtra` accepts. Throws a RangeError listing every missing or unexpected name.
 */
export function checkStateDict(specs: readonly ParamSpec[], values: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>,
  options: StateDictOptions = {}): void {
  is.plainObject('checkStateDict: options', options);
  is.knownKeys('checkStateDict', options, ['allowExtra']);
  const { allowExtra = () => true } = options;
  is.func("checkStateDict: option 'allowExtra'", allowExtra);
  const missing = specs.filter((s) => !values.has(s.name)).map((s) => s.name);
  const known = new Set(specs.map((s) => s.name));
  const extra = [...values.keys()].filter((n) => !known.has(n) && !allowExtra(n));
  const problems: string[] = [];
  if (missing.length) problems.push(`is missing ${listNames(missing)}`);
  if (extra.length) problems.push(`has ${extra.length === 1 ? 'an unexpected tensor' : `${extra.length} unexpected tensors`} ${listNames(extra)}`);
  if (problems.length) throw new RangeError(`state dict ${problems.join(' and ')}`);
  for (const s of specs) {
    const v = values.get(s.name)!;
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (v.shape.length !== s.shape.length || !v.shape.every((d, i) => d === s.shape[i]))
      throw new RangeError(`state dict '${s.name}' has shape ${shapeStr(v.shape)}, expected ${shapeStr(s.shape)}`);
    if (v.data.length !== n) throw new RangeError(`state dict '${s.name}' has ${v.data.length} values, its shape ${shapeStr(s.shape)} needs ${n}`);
  }
}

export class ParameterSet {
  readonly data: Float32Array;
  readonly grad: Float32Array;
  readonly names: readonly string[];
  private readonly tensors = new Map<string, Tensor>();
  private readonly offsets = new Map<string, number>();

  constructor(specs: readonly ParamSpec[]) {
    let total = 0;
    for (const s of specs) {
      if (this.offsets.has(s.name)) throw new RangeError(`ParameterSet: duplicate parameter name '${s.name}'`);
      this.offsets.set(s.name, total);
      total += s.shape.reduce((a, b) => a * b, 1);
    }
    // Values and gradients, 8 bytes a parameter: 2^28 of them is 2 GiB, far past any SAC
    // network (Spinning Up's is 0.2M), and a shape read from a file cannot ask for more.
    if (total > MAX_PARAMETERS)
      throw new RangeError(`ParameterSet: ${total} parameters are over the limit of ${MAX_PARAMETERS} (2^28; check the hidden sizes)`);
    this.data = new Float32Array(total);
    this.grad = new Float32Array(total);
    for (const s of specs) {
      const off = this.offsets.get(s.name)!, n = s.shape.reduce((a, b) => a * b, 1);
      const t = new Tensor(this.data.subarray(off, off + n), s.shape, true, s.name);
      t.grad = this.grad.subarray(off, off + n);
      this.tensors.set(s.name, t);
    }
    this.names = specs.map((s) => s.name);
  }

  get size(): number {
    return this.data.length;
  }

  get(name: string): Tensor {
    const t = this.tensors.get(name);
    if (!t) throw new RangeError(`no parameter named '${name}' (have: ${this.names.join(', ')})`);
    return t;
  }

  /** The contiguous range of every parameter whose name starts with `prefix`. */
  slice(prefix: string): { data: Float32Array; grad: Float32Array } {
    const names = this.names.filter((n) => n.startsWith(prefix));
    if (names.length === 0) throw new RangeError(`no parameters start with '${prefix}'`);
    const begin = this.offsets.get(names[0]!)!;
    const last = this.get(names[names.length - 1]!);
    const end = this.offsets.get(last.name)! + last.size;
    const inside = this.names.filter((n) => this.offsets.get(n)! >= begin && this.offsets.get(n)! < end);
    if (inside.length !== names.length)
      throw new RangeError(`the parameters starting with '${prefix}' are not contiguous (declare them together)`);
    return { data: this.data.subarray(begin, end), grad: this.grad.subarray(begin, end) };
  }

  /** Freezes (false) or unfreezes the parameters whose names start with prefix. */
  setRequiresGrad(prefix: string, flag: boolean): void {
    for (const n of this.names) if (n.startsWith(prefix)) this.tensors.get(n)!.requiresGrad = flag;
  }

  zeroGrad(k: Kernels): void {
    k.fill(this.grad, 0);
  }

  /**
   * Copies values in by name (a state dict), all or nothing, after checkStateDict: every
   * name present with its shape. Other names are accepted unless `allowExtra` refuses them
   * (by default all are: a checkpoint holds other sets' tensors too).
   */
  load(values: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>, options: StateDictOptions = {}): void {
    checkStateDict(this.names.map((n) => ({ name: n, shape: this.tensors.get(n)!.shape })), values, options);
    for (const n of this.names) this.tensors.get(n)!.data.set(values.get(n)!.data);
  }
}
