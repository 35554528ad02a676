/** Reductions (over everything, or over the last axis) and the MSE loss. */
import * as host from '../host.js';
import type { Tape } from '../tape.js';
import { shapeStr, type Tensor } from '../tensor.js';

export type Axis = 'all' | -1;

// y = sum(x) (shape []) or y[r] = sum_c x[r, c] (axis -1); dy/dx = 1.
export function sum(g: Tape, x: Tensor, axis: Axis = 'all'): Tensor {
  if (axis === 'all') {
    const out = g.empty([], 'sum');
    host.reduceAll(g, out.data, x.data, 'sum');
    g.record('sum', [out], [x], () => host.spread(g, x.grad!, out.grad!, x.size, 1));
    return out;
  }
  const cols = x.shape[x.shape.length - 1] ?? 1, rows = x.size / cols;
  const out = g.empty(x.shape.slice(0, -1), 'sum(-1)');
  g.k.sumRows(out.data, x.data, rows, cols);
  g.record('sum(-1)', [out], [x], () => host.spread(g, x.grad!, out.grad!, cols, 1));
  return out;
}

// y = sum / n; dy/dx = 1 / n.
export function mean(g: Tape, x: Tensor, axis: Axis = 'all'): Tensor {
  if (axis === 'all') {
    const out = g.empty([], 'mean');
    host.reduceAll(g, out.data, x.data, 'mean');
    g.record('mean', [out], [x], () => host.spread(g, x.grad!, out.grad!, x.size, 1 / x.size));
    return out;
  }
  const cols = x.shape[x.shape.length - 1] ?? 1, rows = x.size / cols;
  const out = g.empty(x.shape.slice(0, -1), 'mean(-1)');
  g.k.sumRows(out.data, x.data, rows, cols);
  g.notCapturable('mean(-1) divides in JavaScript');
  for (let r = 0; r < rows; r++) out.data[r] = out.data[r]! / cols;
  g.record('mean(-1)', [out], [x], () => host.spread(g, x.grad!, out.grad!, cols, 1 / cols));
  return out;
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
  host.reduceAll(g, out.data, sq, 'mean');
  g.record('mse', [out], [a, b], () => {
    // s = 2 dy / n, read from out.grad when the step runs (-s is (-2 dy) / n, the same bits).
    if (a.requiresGrad) host.axpyScaled(g, a.grad!, diff, out.grad!, 2, a.size);
    if (b.requiresGrad) host.axpyScaled(g, b.grad!, diff, out.grad!, -2, a.size);
  });
  return out;
}
