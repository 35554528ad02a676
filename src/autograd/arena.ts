/**
 * Where the tape's buffers come from. A training step runs the same ops on the same shapes
 * every time, so the arena hands out the same buffers in the same order each step: after
 * the first step nothing new is allocated. `reset()` (Tape.reset) starts the next step.
 */
import type { FloatArrayKind } from './tape.js';

let allocated = 0;

/** How many typed arrays all arenas have allocated so far (tests check it stops growing). */
export function arenaAllocations(): number {
  return allocated;
}

export class Arena {
  private readonly pools = new Map<number, { buffers: Float32Array[]; used: number }>();

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

  /** Every buffer becomes available again (their contents stay until overwritten). */
  reset(): void {
    for (const pool of this.pools.values()) pool.used = 0;
  }
}
