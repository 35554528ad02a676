/** Reductions (over everything, or over the last axis) and the MSE loss. */
import type { Tape } from '../tape.js';
import { shapeStr, type Tensor } from '../tensor.js';

export type Axis = 'all' | -1;

// y = sum(x) (shape []) or y[r] = sum_c x[r, c] (axis -1); dy/dx = 1.
export function sum(g: Tape, x: Tensor, axis: Axis = 'all'): Tensor {
  if (axis === 'all') {
    const out = g.empty([], 'sum');
    out.data[0] = g.k.sum(x.data);
    g.record('sum', [out], [x], () => spread(x.grad!, out.grad!, x.size, 1));
    return out;
  }
  const cols = x.shape[x.shape.length - 1] ?? 1, rows = x.size / cols;
  const out = g.empty(x.shape.slice(0, -1), 'sum(-1)');
  g.k.sumRows(out.data, x.data, rows, cols);
  g.record('sum(-1)', [out], [x], () => spread(x.grad!, out.grad!, cols, 1));
  return out;
}

// y = sum / n; dy/dx = 1 / n.
export function mean(g: Tape, x: Tensor, axis: Axis = 'all'): Tensor {
  if (axis === 'all') {
    const out = g.empty([], 'mean');
    out.data[0] = g.k.mean(x.data);
    g.record('mean', [out], [x], () => spread(x.grad!, out.grad!, x.size, 1 / x.size));
    return out;
  }
  const cols = x.shape[x.shape.length - 1] ?? 1, rows = x.size / cols;
  const out = g.empty(x.shape.slice(0, -1), 'mean(-1)');
  g.k.sumRows(out.data, x.data, rows, cols);
  for (let r = 0; r < rows; r++) out.data[r] = out.data[r]! / cols;
  g.record('mean(-1)', [out], [x], () => spread(x.grad!, out.grad!, cols, 1 / cols));
  return out;
}

// dx[r * cols + c] += f * dy[r]: the adjoint of summing each run of `cols` elements.
function spread(dx: Float32Array, dy: Float32Array, cols: number, f: number): void {
  for (let r = 0; r < dy.length; r++) {
    const v = dy[r]! * f;
    for (let c = r * cols; c < (r + 1) * cols; c++) dx[c] += v;
  }
}

// y = mean((a - b)^2), as Spinning Up's `((q1 - backup)**2).mean()` (F.mse_loss), fused:
// dy/da = 2 (a - b) / n and dy/db = -2 (a - b) / n.
export function mse(g: Tape, a: Tensor, b: Tensor): Tensor {
  if (a.shape.length !== b.shape.length || !a.shape.every((d, i) => d === b.shape[i]))
    throw new RangeError(`mse: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} must be equal`);
  const diff = g.scratch(a.size), sq = g.scratch(a.size);
  g.k.scale(diff, b.data, -1);
  g.k.add(diff, diff, a.data);
  g.k.mul(sq, diff, diff);
  const out = g.empty([], 'mse');
  out.data[0] = g.k.mean(sq);
  g.record('mse', [out], [a, b], () => {
    const s = (2 * out.grad![0]!) / a.size;
    if (a.requiresGrad) g.k.axpy(a.grad!, s, diff);
    if (b.requiresGrad) g.k.axpy(b.grad!, -s, diff);
  });
  return out;
}
