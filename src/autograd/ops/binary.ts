/**
 * Arithmetic on two operands with broadcasting over the batch: the operands have the same
 * shape, or one is a single value (a number, or a one-element tensor such as alpha), or one
 * is a row [N] under a [..., N]. The smaller operand is expanded to the output's shape, the
 * same-shape kernel runs, and in backward its gradient is summed back to its own shape.
 */
import * as host from '../host.js';
import type { Tape } from '../tape.js';
import { shapeStr, Tensor } from '../tensor.js';

type Operand = Tensor | number;

function outputShape(op: string, a: Tensor, b: Tensor): readonly number[] {
  const fits = (small: Tensor, big: Tensor) =>
    small.size === 1 || (small.shape.length === 1 && big.shape.length >= 2 && small.shape[0] === big.shape[big.shape.length - 1]);
  if (a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i])) return a.shape;
  if (a.size >= b.size && fits(b, a)) return a.shape;
  if (b.size > a.size && fits(a, b)) return b.shape;
  throw new RangeError(`${op}: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not broadcast (same shape, a single value, or a row [N] under [..., N])`);
}

// t's values laid out over n elements (t.data itself when it already has n).
function expand(g: Tape, t: Tensor, n: number): Float32Array {
  if (t.size === n) return t.data;
  const out = g.scratch(n);
  if (t.size === 1) g.k.fill(out, t.data[0]!);
  else {
    g.notCapturable('a row broadcast copies in JavaScript');
    for (let r = 0; r < n; r += t.size) out.set(t.data, r);
  }
  return out;
}

// t.grad += grad summed back to t's shape (the adjoint of expand).
function reduceInto(g: Tape, t: Tensor, grad: Float32Array): void {
  if (!t.requiresGrad) return;
  if (t.size === grad.length) g.k.axpy(t.grad!, 1, grad);
  else if (t.size === 1) host.reduceAll(g, t.grad!, grad, 'addSum');
  else g.k.sumColsAcc(t.grad!, grad, grad.length / t.size, t.size);
}

// A number operand as a one-element tensor that needs no gradient.
function constant(g: Tape, value: number): Tensor {
  const c = g.empty([1], String(value));
  host.setValue(g, c.data, value);
  return c;
}

function tensors(g: Tape, a: Operand, b: Operand, op: string): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') throw new TypeError(`${op}: at least one operand must be a Tensor, got two numbers`);
  const ta = typeof a === 'number' ? constant(g, a) : a;
  const tb = typeof b === 'number' ? constant(g, b) : b;
  return [ta, tb];
}

// y = a + b; dy/da = dy/db = 1.
export function add(g: Tape, a: Operand, b: Operand): Tensor {
  const [ta, tb] = tensors(g, a, b, 'add');
  const out = g.empty(outputShape('add', ta, tb), 'add');
  g.k.add(out.data, expand(g, ta, out.size), expand(g, tb, out.size));
  g.record('add', [out], [ta, tb], () => {
    reduceInto(g, ta, out.grad!);
    reduceInto(g, tb, out.grad!);
  });
  return out;
}

// y = a - b; dy/da = 1, dy/db = -1.
export function sub(g: Tape, a: Operand, b: Operand): Tensor {
  const [ta, tb] = tensors(g, a, b, 'sub');
  const out = g.empty(outputShape('sub', ta, tb), 'sub');
  g.k.scale(out.data, expand(g, tb, out.size), -1);
  g.k.add(out.data, out.data, expand(g, ta, out.size));
  g.record('sub', [out], [ta, tb], () => {
    reduceInto(g, ta, out.grad!);
    if (tb.requiresGrad) {
      const neg = g.scratch(out.size);
      g.k.scale(neg, out.grad!, -1);
      reduceInto(g, tb, neg);
    }
  });
  return out;
}

// y = a * b; dy/da = b, dy/db = a.
export function mul(g: Tape, a: Operand, b: Operand): Tensor {
  const [ta, tb] = tensors(g, a, b, 'mul');
  const out = g.empty(outputShape('mul', ta, tb), 'mul');
  const A = expand(g, ta, out.size), B = expand(g, tb, out.size);
  g.k.mul(out.data, A, B);
  g.record('mul', [out], [ta, tb], () => {
    const t = g.scratch(out.size);
    if (ta.requiresGrad) {
      g.k.mul(t, out.grad!, B);
      reduceInto(g, ta, t);
    }
    if (tb.requiresGrad) {
      g.k.mul(t, out.grad!, A);
      reduceInto(g, tb, t);
    }
  });
  return out;
}

// y = a / b; dy/da = 1 / b, dy/db = -a / b^2 = -y / b.
export function div(g: Tape, a: Operand, b: Operand): Tensor {
  const [ta, tb] = tensors(g, a, b, 'div');
  const out = g.empty(outputShape('div', ta, tb), 'div');
  const A = expand(g, ta, out.size), B = expand(g, tb, out.size), y = out.data;
  g.notCapturable('div runs in JavaScript');
  for (let i = 0; i < y.length; i++) y[i] = A[i]! / B[i]!;
  g.record('div', [out], [ta, tb], () => {
    const dy = out.grad!, t = g.scratch(out.size);
    if (ta.requiresGrad) {
      for (let i = 0; i < t.length; i++) t[i] = dy[i]! / B[i]!;
      reduceInto(g, ta, t);
    }
    if (tb.requiresGrad) {
      for (let i = 0; i < t.length; i++) t[i] = -dy[i]! * y[i]! / B[i]!;
      reduceInto(g, tb, t);
    }
  });
  return out;
}

// y = min(a, b) element-wise (same shapes); the gradient goes to the smaller, split in
// half on ties (as torch.minimum).
export function minimum(g: Tape, a: Tensor, b: Tensor): Tensor {
  if (a.shape.length !== b.shape.length || !a.shape.every((d, i) => d === b.shape[i]))
    throw new RangeError(`minimum: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} must be equal`);
  const out = g.empty(a.shape, 'minimum');
  g.k.minimum(out.data, a.data, b.data);
  g.record('minimum', [out], [a, b], () => {
    const da = a.requiresGrad ? a.grad! : g.zeros(a.size);
    const db = b.requiresGrad ? b.grad! : g.zeros(b.size);
    g.k.minimumBackward(da, db, out.grad!, a.data, b.data);
  });
  return out;
}
