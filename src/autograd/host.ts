/**
 * The steps of the ops that are JavaScript rather than kernel calls: a value stored into a
 * buffer, a reduction's result stored, the backward of a reduction, concat. Each does its
 * work here and, while the tape captures (src/autograd/plan.ts), is recorded as a step the
 * plan replays natively with the same arithmetic (native/src/plan.cc: double, rounded to
 * float32 at each store, as JavaScript does).
 */
import type { Tape } from './tape.js';

// out[0] = value.
export function setValue(g: Tape, out: Float32Array, value: number): void {
  out[0] = value;
  if (g.capturing) g.recordHost('fill', [out, value]);
}

/** How reduceAll stores sum(x): out = sum, out = sum / n, out += sum. */
export type ReduceMode = 'sum' | 'mean' | 'addSum';
const reduceModes: Record<ReduceMode, number> = { sum: 0, mean: 1, addSum: 2 };

// out[0] = sum(x), mean(x), or out[0] + sum(x), with the kernels' sum (fixed order).
export function reduceAll(g: Tape, out: Float32Array, x: Float32Array, mode: ReduceMode): void {
  const k = g.kernels;
  if (mode === 'sum') out[0] = k.sum(x);
  else if (mode === 'mean') out[0] = k.mean(x);
  else out[0] += k.sum(x);
  if (g.capturing) g.recordHost('reduceAll', [out, x, reduceModes[mode]]);
}

// dx[r * cols + c] += f * dy[r]: the adjoint of summing each run of `cols` elements.
export function spread(g: Tape, dx: Float32Array, dy: Float32Array, cols: number, f: number): void {
  for (let r = 0; r < dy.length; r++) {
    const v = dy[r]! * f;
    for (let c = r * cols; c < (r + 1) * cols; c++) dx[c] += v;
  }
  if (g.capturing) g.recordHost('spread', [dx, dy, cols, f]);
}

// y += s x with s = (c1 * src[0]) / c2: a scale read from a buffer when the step runs.
export function axpyScaled(g: Tape, y: Float32Array, x: Float32Array, src: Float32Array, c1: number, c2: number): void {
  g.kernels.axpy(y, (c1 * src[0]!) / c2, x);
  if (g.capturing) g.recordHost('axpyScaled', [y, x, src, c1, c2]);
}

// dst (rows, sum of widths) = [xs[0], xs[1], ...] along the last axis; each xs[j] is (rows, widths[j]).
export function concatRows(g: Tape, dst: Float32Array, xs: readonly Float32Array[], widths: readonly number[], rows: number): void {
  // Plain element copies: a subarray() view per row would allocate thousands of typed-array
  // objects per update (the Q-networks' inputs are a few values wide).
  for (let r = 0, off = 0; r < rows; r++) {
    for (let j = 0; j < xs.length; j++) {
      const src = xs[j]!, w = widths[j]!;
      for (let c = 0, at = r * w; c < w; c++) dst[off++] = src[at + c]!;
    }
  }
  if (g.capturing) g.recordHost('concat', [dst, rows, xs.length, ...xs.flatMap((x, j) => [x, widths[j]!])]);
}

// dxs[j] += its columns of dy (dxs[j] null: not wanted); the adjoint of concatRows.
export function concatRowsBackward(g: Tape, dy: Float32Array, dxs: readonly (Float32Array | null)[], widths: readonly number[], rows: number): void {
  const width = widths.reduce((a, b) => a + b, 0);
  for (let j = 0, col = 0; j < dxs.length; col += widths[j]!, j++) {
    const dx = dxs[j]!, w = widths[j]!;
    if (!dx) continue;
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < w; c++) dx[r * w + c] += dy[r * width + col + c]!;
  }
  if (g.capturing) g.recordHost('concatBackward', [dy, rows, dxs.length, ...dxs.flatMap((x, j) => [x, widths[j]!])]);
}
