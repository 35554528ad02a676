/** Ops that move values without arithmetic: concatenation on the last axis, squeeze. */
import * as host from '../host.js';
import type { Tape } from '../tape.js';
import { shapeStr, Tensor } from '../tensor.js';

// y = [a, b, ...] along the last axis (the Q-function's input concat(obs, act)).
export function concat(g: Tape, xs: readonly Tensor[]): Tensor {
  if (xs.length === 0) throw new RangeError('concat: needs at least one tensor, got none');
  const lead = xs[0]!.shape.slice(0, -1);
  for (const x of xs) {
    if (x.shape.length !== lead.length + 1 || !lead.every((d, i) => d === x.shape[i]))
      throw new RangeError(`concat: shapes ${xs.map((t) => shapeStr(t.shape)).join(', ')} differ before the last axis`);
  }
  const widths = xs.map((x) => x.shape[x.shape.length - 1]!);
  const width = widths.reduce((a, b) => a + b, 0);
  const rows = lead.reduce((a, b) => a * b, 1);
  const out = g.empty([...lead, width], 'concat');
  host.concatRows(g, out.data, xs.map((x) => x.data), widths, rows);
  g.record('concat', [out], xs, () => host.concatRowsBackward(g, out.grad!, xs.map((x) => (x.requiresGrad ? x.grad! : null)), widths, rows));
  return out;
}

// Drops a size-1 axis (the last by default), as q.squeeze(-1): same values, new shape.
export function squeeze(g: Tape, x: Tensor, axis = -1): Tensor {
  const ax = axis < 0 ? x.shape.length + axis : axis;
  if (x.shape[ax] !== 1) throw new RangeError(`squeeze: axis ${axis} of shape ${shapeStr(x.shape)} is not of size 1`);
  // The output shares x's buffer: squeezing copies nothing.
  const out = new Tensor(x.data, x.shape.filter((_, i) => i !== ax), false, 'squeeze');
  g.record('squeeze', [out], [x], () => g.k.axpy(x.grad!, 1, out.grad!));
  return out;
}
