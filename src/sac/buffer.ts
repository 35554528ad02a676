/**
 * Spinning Up's ReplayBuffer: a FIFO ring of transitions (o, a, r, o2, d) in flat
 * Float32Arrays, sampled uniformly with the seeded PRNG into preallocated batch arrays
 * (a warmed-up sample allocates nothing).
 */
import type { Rng } from '../nn/rng.js';

/** The most floats a replay buffer holds: 2^31, 8 GiB. */
export const MAX_BUFFER_FLOATS = 2 ** 31;

export interface Batch {
  obs: Float32Array;
  act: Float32Array;
  rew: Float32Array;
  obs2: Float32Array;
  done: Float32Array;
  /** Rows filled by the last sample. */
  size: number;
}

export class ReplayBuffer {
  readonly obs: Float32Array;
  readonly obs2: Float32Array;
  readonly act: Float32Array;
  readonly rew: Float32Array;
  readonly done: Float32Array;
  /** The next slot to write. */
  ptr = 0;
  /** How many transitions are held (at most maxSize). */
  size = 0;
  private batch: Batch | null = null;

  constructor(readonly obsDim: number, readonly actDim: number, readonly maxSize: number) {
    for (const [name, v] of [['obsDim', obsDim], ['actDim', actDim], ['maxSize', maxSize]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`ReplayBuffer: ${name} must be a positive integer, got ${v}`);
    }
    // A replay size read from a flag or a checkpoint cannot ask for more than 8 GiB.
    const floats = maxSize * (2 * obsDim + actDim + 2);
    if (floats > MAX_BUFFER_FLOATS)
      throw new RangeError(`ReplayBuffer: ${maxSize} transitions of ${2 * obsDim + actDim + 2} floats need ${(floats / 2 ** 28).toFixed(1)} GiB, over the 8 GiB limit (lower replaySize)`);
    this.obs = new Float32Array(maxSize * obsDim);
    this.obs2 = new Float32Array(maxSize * obsDim);
    this.act = new Float32Array(maxSize * actDim);
    this.rew = new Float32Array(maxSize);
    this.done = new Float32Array(maxSize);
  }

  /** Stores one transition; `d` is 1 only for a true termination, never a time limit. */
  store(o: ArrayLike<number>, a: ArrayLike<number>, r: number, o2: ArrayLike<number>, d: boolean): void {
    const i = this.ptr;
    for (let j = 0; j < this.obsDim; j++) {
      this.obs[i * this.obsDim + j] = o[j]!;
      this.obs2[i * this.obsDim + j] = o2[j]!;
    }
    for (let j = 0; j < this.actDim; j++) this.act[i * this.actDim + j] = a[j]!;
    this.rew[i] = r;
    this.done[i] = d ? 1 : 0;
    this.ptr = (this.ptr + 1) % this.maxSize;
    this.size = Math.min(this.size + 1, this.maxSize);
  }

  /** The filled rows as tensors (buffer.obs [size, obs_dim] ...), and the write position. */
  saveState(): { tensors: [string, { shape: number[]; data: Float32Array }][]; state: { ptr: number; size: number } } {
    const n = this.size, od = this.obsDim, ad = this.actDim;
    return {
      tensors: [
        ['buffer.obs', { shape: [n, od], data: this.obs.slice(0, n * od) }],
        ['buffer.act', { shape: [n, ad], data: this.act.slice(0, n * ad) }],
        ['buffer.rew', { shape: [n], data: this.rew.slice(0, n) }],
        ['buffer.obs2', { shape: [n, od], data: this.obs2.slice(0, n * od) }],
        ['buffer.done', { shape: [n], data: this.done.slice(0, n) }],
      ],
      state: { ptr: this.ptr, size: n },
    };
  }

  /** Restores saveState()'s output, checking every shape against this buffer's sizes. */
  loadState(tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>, state: { ptr: number; size: number }): void {
    const { ptr, size } = state ?? {};
    if (!Number.isInteger(size) || size < 0 || size > this.maxSize || !Number.isInteger(ptr) || ptr < 0 || ptr >= this.maxSize || (size < this.maxSize && ptr !== size))
      throw new RangeError(`checkpoint: replay buffer position ptr = ${ptr}, size = ${size} does not fit a buffer of ${this.maxSize}`);
    const fields: [string, Float32Array, number][] = [['obs', this.obs, this.obsDim], ['act', this.act, this.actDim], ['rew', this.rew, 1],
      ['obs2', this.obs2, this.obsDim], ['done', this.done, 1]];
    for (const [name, , width] of fields) {
      const t = tensors.get(`buffer.${name}`);
      if (!t) throw new RangeError(`checkpoint: tensor 'buffer.${name}' is missing`);
      if (t.data.length !== size * width || t.shape[0] !== size)
        throw new RangeError(`checkpoint: tensor 'buffer.${name}' has shape [${t.shape.join(', ')}], expected [${width === 1 ? size : `${size}, ${width}`}]`);
    }
    for (const [name, dst] of fields) dst.set(tensors.get(`buffer.${name}`)!.data);
    this.ptr = ptr;
    this.size = size;
  }

  /** batchSize transitions drawn uniformly (with replacement) from those held. */
  sampleBatch(batchSize: number, rng: Rng): Batch {
    if (this.size === 0) throw new RangeError('ReplayBuffer.sampleBatch: the buffer is empty');
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`ReplayBuffer.sampleBatch: batchSize must be a positive integer, got ${batchSize}`);
    if (!this.batch || this.batch.obs.length !== batchSize * this.obsDim) {
      this.batch = {
        obs: new Float32Array(batchSize * this.obsDim), act: new Float32Array(batchSize * this.actDim),
        rew: new Float32Array(batchSize), obs2: new Float32Array(batchSize * this.obsDim),
        done: new Float32Array(batchSize), size: batchSize,
      };
    }
    const b = this.batch, od = this.obsDim, ad = this.actDim;
    for (let k = 0; k < batchSize; k++) {
      const i = rng.int(this.size);
      // Plain copies: subarray() would make a view object per row.
      for (let j = 0; j < od; j++) {
        b.obs[k * od + j] = this.obs[i * od + j]!;
        b.obs2[k * od + j] = this.obs2[i * od + j]!;
      }
      for (let j = 0; j < ad; j++) b.act[k * ad + j] = this.act[i * ad + j]!;
      b.rew[k] = this.rew[i]!;
      b.done[k] = this.done[i]!;
    }
    return b;
  }
}
