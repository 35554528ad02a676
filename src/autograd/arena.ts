/**
 * Where the tape's buffers come from. A training step runs the same ops on the same shapes
 * every time, so the arena hands out buffers from the same set each step: after the first
 * step nothing new is allocated. `reset()` (Tape.reset) starts the next step.
 */
/** The storage of a tape's buffers: float32, or float64 for the finite-difference gradcheck. */
export type FloatArrayKind = 'float32' | 'float64';

let allocated = 0;

/** How many typed arrays all arenas have allocated so far (tests check it stops growing). */
export function arenaAllocations(): number {
  return allocated;
}

export class Arena {
  private readonly pools = new Map<number, { buffers: Float32Array[]; used: number }>();
  private readonly transients = new Map<number, Float32Array[]>();

  constructor(private readonly kind: FloatArrayKind = 'float32') {}

  /** A buffer of n elements, contents unspecified. */
  take(n: number): Float32Array {
    let pool = this.pools.get(n);
    if (!pool) {
      pool = { buffers: [], used: 0 };
      this.pools.set(n, pool);
    }
    if (pool.used === pool.buffers.length) {
      allocated++;
      // float64 exists for the finite-difference gradcheck only: the kernels it runs on
      // (the float64 reference) read and write whichever array they are handed.
      pool.buffers.push(this.kind === 'float32' ? new Float32Array(n) : (new Float64Array(n) as unknown as Float32Array));
    }
    return pool.buffers[pool.used++]!;
  }

  /**
   * A buffer of n elements that is the same one at every call with this (n, slot), until
   * the next such call: for values used at once and never again (the hidden activations of
   * a forward pass nothing will differentiate), so they stay in cache from one use to the
   * next. Contents unspecified.
   */
  transient(n: number, slot: number): Float32Array {
    let list = this.transients.get(n);
    if (!list) {
      list = [];
      this.transients.set(n, list);
    }
    while (list.length <= slot) {
      allocated++;
      list.push(this.kind === 'float32' ? new Float32Array(n) : (new Float64Array(n) as unknown as Float32Array));
    }
    return list[slot]!;
  }

  /**
   * Every buffer becomes available again (their contents stay until overwritten), the
   * most recently taken first: the next step's first outputs then land in memory the last
   * step touched last, likely still in cache, instead of in the step's oldest buffers
   * (written a whole update ago). A write into cold memory costs a read of it first.
   */
  reset(): void {
    for (const pool of this.pools.values()) {
      const b = pool.buffers;
      for (let i = 0, j = pool.used - 1; i < j; i++, j--) {
        const t = b[i]!;
        b[i] = b[j]!;
        b[j] = t;
      }
      pool.used = 0;
    }
  }
}
