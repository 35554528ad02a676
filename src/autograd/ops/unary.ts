/** Element-wise functions of one tensor, each forward beside its backward. */
import type { Tape } from '../tape.js';
import type { Tensor } from '../tensor.js';

// y = max(x, 0); dy/dx = 1 where y > 0.
export function relu(g: Tape, x: Tensor): Tensor {
  const out = g.empty(x.shape, 'relu');
  g.k.relu(out.data, x.data);
  g.record('relu', [out], [x], () => g.k.reluBackward(x.grad!, out.grad!, out.data));
  return out;
}

// y = tanh(x); dy/dx = 1 - y^2.
export function tanh(g: Tape, x: Tensor): Tensor {
  const out = g.empty(x.shape, 'tanh');
  g.k.tanh(out.data, x.data);
  g.record('tanh', [out], [x], () => g.k.tanhBackward(x.grad!, out.grad!, out.data));
  return out;
}

// y = e^x; dy/dx = y.
export function exp(g: Tape, x: Tensor): Tensor {
  const out = g.empty(x.shape, 'exp');
  g.k.exp(out.data, x.data);
  g.record('exp', [out], [x], () => {
    const t = g.scratch(x.size);
    g.k.mul(t, out.grad!, out.data);
    g.k.axpy(x.grad!, 1, t);
  });
  return out;
}

// y = log(x); dy/dx = 1 / x.
export function log(g: Tape, x: Tensor): Tensor {
  const out = g.empty(x.shape, 'log');
  g.k.log(out.data, x.data);
  g.record('log', [out], [x], () => {
    g.notCapturable("log's backward runs in JavaScript");
    const dx = x.grad!, dy = out.grad!, xs = x.data;
    for (let i = 0; i < dx.length; i++) dx[i] += dy[i]! / xs[i]!;
  });
  return out;
}

// y = log(1 + e^x) (x itself above 20, as PyTorch); dy/dx = sigmoid(x) = e^(x - y) (1 above 20).
export function softplus(g: Tape, x: Tensor): Tensor {
  const out = g.empty(x.shape, 'softplus');
  g.k.softplus(out.data, x.data);
  g.record('softplus', [out], [x], () => {
    g.notCapturable("softplus's backward runs in JavaScript");
    const dx = x.grad!, dy = out.grad!, xs = x.data, ys = out.data;
    for (let i = 0; i < dx.length; i++) dx[i] += xs[i]! > 20 ? dy[i]! : dy[i]! * Math.exp(xs[i]! - ys[i]!);
  });
  return out;
}

// y = min(max(x, lo), hi); dy/dx = 1 inside [lo, hi] (bounds included, as PyTorch), else 0.
export function clamp(g: Tape, x: Tensor, lo: number, hi: number): Tensor {
  const out = g.empty(x.shape, 'clamp');
  g.k.clamp(out.data, x.data, lo, hi);
  g.record('clamp', [out], [x], () => g.k.clampBackward(x.grad!, out.grad!, x.data, lo, hi));
  return out;
}

// y = x^2; dy/dx = 2x.
export function square(g: Tape, x: Tensor): Tensor {
  const out = g.empty(x.shape, 'square');
  g.k.mul(out.data, x.data, x.data);
  g.record('square', [out], [x], () => {
    const t = g.scratch(x.size);
    g.k.mul(t, out.grad!, x.data);
    g.k.axpy(x.grad!, 2, t);
  });
  return out;
}
