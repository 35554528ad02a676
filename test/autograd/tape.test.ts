/**
 * The tape itself: what backward computes into which buffers, no-grad and frozen
 * parameters, buffer reuse (no typed-array allocation once warm), and misuse errors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { arenaAllocations, linear, log, mean, mse, mul, relu, squeeze, sum, Tape, Tensor } from '../../src/autograd/index.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { MLP, mlpSpecs, ParameterSet, Rng } from '../../src/nn/index.js';
import { kernelBackends } from '../helpers/backends.js';

const k = referenceKernels;
const t = (data: number[], shape = [data.length], requiresGrad = false) => new Tensor(Float32Array.from(data), shape, requiresGrad);

test('backward of a tiny graph gives the hand-worked gradients', () => {
  const g = new Tape(k);
  const x = t([1, -2, 3], [3], true), w = t([0.5, 4, -1], [3], true);
  const loss = sum(g, relu(g, mul(g, x, w))); // relu([0.5, -8, -3]) = [0.5, 0, 0]
  assert.is(loss.item(), 0.5);
  g.backward(loss);
  assert.equal(Array.from(x.grad!), [0.5, 0, 0]); // d/dx = w where x*w > 0
  assert.equal(Array.from(w.grad!), [1, 0, 0]);
});

test('backward from a non-scalar is an error that says how to reduce it', () => {
  const g = new Tape(k);
  const y = mul(g, t([1, 2], [2], true), 3);
  assert.throws(() => g.backward(y), (e: Error) => e instanceof RangeError && /must be a scalar.*\[2\].*sum\(\) or mean\(\)/.test(e.message));
});

test('a second backward over a freed graph is an error that says to run forward again', () => {
  const g = new Tape(k);
  const loss = sum(g, mul(g, t([1, 2], [2], true), 3));
  g.backward(loss);
  assert.throws(() => g.backward(loss), (e: Error) => /already freed.*run the forward pass again/.test(e.message));
  const loss2 = sum(g, mul(g, t([1, 2], [2], true), 3));
  g.reset();
  assert.throws(() => g.backward(loss2), (e: Error) => /already freed/.test(e.message));
});

test('backward from a loss that needs no gradient is an error that names the likely cause', () => {
  const g = new Tape(k);
  const loss = g.noGrad(() => sum(g, mul(g, t([1, 2], [2], true), 3)));
  assert.not.ok(loss.requiresGrad);
  assert.throws(() => g.backward(loss), (e: Error) => /does not depend on anything that requires a gradient.*noGrad/.test(e.message));
});

test('debugNaN stops backward at the first non-finite gradient, naming the op and index', () => {
  const g = new Tape(k, { debugNaN: true });
  const x = t([1, 0, 2], [3], true);
  const loss = sum(g, mul(g, x, t([NaN, 1, 1])));
  assert.throws(() => g.backward(loss), (e: Error) => /debugNaN.*the loss.*NaN at index 0/.test(e.message));
  // A finite loss whose gradient overflows: d/dx log(x) = 1/x is 7e44 at the smallest
  // denormal, infinite in float32.
  const g2 = new Tape(k, { debugNaN: true });
  const y = t([1, 1e-45], [2], true);
  const l2 = sum(g2, log(g2, mul(g2, y, 1)));
  assert.ok(Number.isFinite(l2.item()));
  assert.throws(() => g2.backward(l2), (e: Error) => /debugNaN.*the gradient that log passed to its input 0 \('mul'\) is Infinity at index 1/.test(e.message));
  const g3 = new Tape(k); // without the option, NaN flows through
  const l3 = sum(g3, mul(g3, mul(g3, t([1, 2], [2], true), t([Infinity, 1])), 0));
  assert.is(Number.isNaN(l3.item()), true);
  g3.backward(l3);
});

test('noGrad records nothing, and frozen parameters get no gradient', () => {
  const params = new ParameterSet(mlpSpecs('q', [3, 4, 1]));
  const net = new MLP(params, 'q', [3, 4, 1]);
  net.init(new Rng(1));
  const g = new Tape(k);
  const x = t([0.1, 0.2, 0.3, -1, 0.5, 2], [2, 3], true);
  params.setRequiresGrad('q', false);
  const loss = mean(g, net.forward(g, x));
  g.backward(loss);
  assert.ok(params.grad.every((v) => v === 0), 'frozen parameters must keep a zero gradient');
  assert.ok(x.grad!.some((v) => v !== 0), 'the input still gets its gradient through frozen weights');
  params.setRequiresGrad('q', true);
  g.reset();
  const y = g.noGrad(() => net.forward(g, x));
  assert.not.ok(y.requiresGrad);
});

test('shape mismatches name the op and both shapes', () => {
  const g = new Tape(k);
  assert.throws(() => mul(g, t([1, 2, 3]), t([1, 2])), (e: Error) => e instanceof RangeError && /^mul: shapes \[3\] and \[2\] do not broadcast/.test(e.message));
  assert.throws(() => linear(g, t([1, 2, 3], [1, 3]), t([1, 2], [1, 2]), null), (e: Error) => /^linear: x \[1, 3\], weight \[1, 2\]/.test(e.message));
  assert.throws(() => mse(g, t([1, 2]), t([1, 2, 3])), (e: Error) => /^mse: shapes \[2\] and \[3\] must be equal/.test(e.message));
});

for (const be of kernelBackends()) {
  test(`a warmed-up training step allocates no typed arrays (${be.label})`, () => {
    be.setup();
    const sizes = [5, 32, 32, 1];
    const params = new ParameterSet(mlpSpecs('q', sizes));
    const net = new MLP(params, 'q', sizes);
    net.init(new Rng(2));
    const g = new Tape(be.kernels);
    const x = new Tensor(new Rng(3).fillNormal(new Float32Array(16 * 5)), [16, 5]);
    const y = new Tensor(new Float32Array(16), [16]);
    const step = () => {
      params.zeroGrad(be.kernels);
      const q = net.forward(g, x);
      const loss = mse(g, squeeze(g, q), y);
      g.backward(loss);
      g.reset();
    };
    step();
    const before = arenaAllocations();
    // Besides the arena's own count, every `new Float32Array/Float64Array` anywhere
    // (kernels, ops, tape, nn) is counted by swapping the global constructors for proxies.
    const counted = { n: 0 };
    const saved = { f32: globalThis.Float32Array, f64: globalThis.Float64Array };
    const count = <T extends object>(C: T): T => new Proxy(C, { construct(target, args) { counted.n++; return Reflect.construct(target as never, args); } });
    globalThis.Float32Array = count(saved.f32);
    globalThis.Float64Array = count(saved.f64);
    try {
      for (let i = 0; i < 5; i++) step();
    } finally {
      globalThis.Float32Array = saved.f32;
      globalThis.Float64Array = saved.f64;
    }
    assert.is(arenaAllocations(), before, 'arena allocations after warm-up');
    assert.is(counted.n, 0, 'typed arrays constructed during warm steps');
  });
}

test.run();
