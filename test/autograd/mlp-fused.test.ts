/**
 * mlpRelu (the MLP as one op, each hidden ReLU folded into the next layer's input gradient)
 * against the per-layer `linear` ops it replaces: the same outputs and the same gradients,
 * bit for bit, for every parameter and for the input, on every backend and thread count;
 * with frozen parameters (the policy step's Q-networks, where only the input's gradient
 * flows); and a parameter stack that needs no input gradient stops early.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import * as ag from '../../src/autograd/index.js';
import { Tape, Tensor } from '../../src/autograd/index.js';
import { Rng } from '../../src/nn/index.js';
import { kernelBackends } from '../helpers/backends.js';

const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

interface Case { B: number; sizes: number[]; hiddenRelu: boolean; outputRelu: boolean; frozen: boolean; xGrad: boolean }

function run(k: Tape['k'], c: Case, fused: boolean) {
  const rng = new Rng(c.B * 31 + c.sizes.reduce((a, b) => a * 7 + b, 0));
  const mk = (shape: number[], grad: boolean) => {
    const t = new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniformIn(-1, 1)), shape, grad);
    if (grad) t.grad = new Float32Array(t.size);
    return t;
  };
  const x = mk([c.B, c.sizes[0]!], false);
  x.requiresGrad = c.xGrad;
  const layers = c.sizes.slice(1).map((o, j) => ({ weight: mk([o, c.sizes[j]!], !c.frozen), bias: mk([o], !c.frozen) }));
  const w = new Tensor(Float32Array.from({ length: c.B * c.sizes[c.sizes.length - 1]! }, () => rng.normal()), [c.B, c.sizes[c.sizes.length - 1]!]);
  const g = new Tape(k);
  let y: Tensor;
  if (fused) {
    y = ag.mlpRelu(g, x, layers, c.hiddenRelu, c.outputRelu);
  } else {
    y = x;
    layers.forEach((l, j) => { y = ag.linear(g, y, l.weight, l.bias, j === layers.length - 1 ? c.outputRelu : c.hiddenRelu); });
  }
  g.backward(ag.sum(g, ag.mul(g, y, w)));
  const out = { y: y.data.slice(), xGrad: x.grad?.slice() ?? null, grads: c.frozen ? [] : layers.flatMap((l) => [l.weight.grad!.slice(), l.bias.grad!.slice()]) };
  g.reset();
  return out;
}

for (const be of kernelBackends()) {
  const cases: Case[] = [
    { B: 3, sizes: [4, 17, 5, 1], hiddenRelu: true, outputRelu: false, frozen: false, xGrad: false },
    { B: 17, sizes: [3, 9, 7], hiddenRelu: true, outputRelu: true, frozen: false, xGrad: true },
    { B: 5, sizes: [6, 8, 3], hiddenRelu: false, outputRelu: false, frozen: true, xGrad: true },
    { B: 1, sizes: [5, 33, 40, 2], hiddenRelu: true, outputRelu: false, frozen: false, xGrad: true },
  ];
  if (be.label !== 'js') {
    // SAC's shapes: the Q-networks (frozen, input gradient only, as in the policy step) and
    // the actor's torso; and a width over one K block of the GEMM.
    cases.push({ B: 256, sizes: [4, 256, 256, 1], hiddenRelu: true, outputRelu: false, frozen: true, xGrad: true },
      { B: 256, sizes: [3, 256, 256], hiddenRelu: true, outputRelu: true, frozen: false, xGrad: false },
      { B: 31, sizes: [7, 300, 257, 6], hiddenRelu: true, outputRelu: false, frozen: false, xGrad: true });
  }
  test(`${be.label}: mlpRelu gives the per-layer ops' outputs and gradients, bit for bit`, () => {
    be.setup();
    for (const c of cases) {
      const a = run(be.kernels, c, true), b = run(be.kernels, c, false);
      const label = JSON.stringify(c);
      assert.ok(bytes(a.y).equals(bytes(b.y)), `${label}: outputs differ`);
      a.grads.forEach((gr, i) => assert.ok(bytes(gr).equals(bytes(b.grads[i]!)), `${label}: gradient ${i} differs`));
      assert.is(a.xGrad === null, b.xGrad === null, `${label}: input gradient presence`);
      if (a.xGrad) {
        assert.ok(bytes(a.xGrad).equals(bytes(b.xGrad!)), `${label}: input gradient differs`);
        assert.ok(a.xGrad.some((v) => v !== 0), `${label}: input gradient all zeros`);
      }
      if (!c.frozen) assert.ok(a.grads[0]!.some((v) => v !== 0), `${label}: first weight gradient all zeros`);
      else assert.is(a.grads.length, 0);
    }
  });
}

test('mlpRelu under noGrad (hidden activations in two reused buffers) gives the same outputs, and holds earlier outputs intact', () => {
  for (const be of kernelBackends()) {
    be.setup();
    const rng = new Rng(77);
    const mk = (shape: number[]) => new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniformIn(-1, 1)), shape, true);
    const layers = [[9, 4], [7, 9], [5, 7], [2, 5]].map(([o, i]) => ({ weight: mk([o!, i!]), bias: mk([o!]) }));
    const x1 = new Tensor(mk([6, 4]).data, [6, 4]), x2 = new Tensor(mk([6, 4]).data, [6, 4]);
    const g = new Tape(be.kernels);
    const want1 = ag.mlpRelu(g, x1, layers, true, false).data.slice();
    const want2 = ag.mlpRelu(g, x2, layers, true, false).data.slice();
    g.reset();
    const [y1, y2] = g.noGrad(() => [ag.mlpRelu(g, x1, layers, true, false), ag.mlpRelu(g, x2, layers, true, false)]);
    assert.ok(bytes(y1!.data).equals(bytes(want1)), `${be.label}: first noGrad output differs (or was overwritten)`);
    assert.ok(bytes(y2!.data).equals(bytes(want2)), `${be.label}: second noGrad output differs`);
    g.reset();
  }
});

test('mlpRelu refuses layers that do not chain, naming the layer', () => {
  const g = new Tape(kernelBackends()[0]!.kernels);
  const x = new Tensor(new Float32Array(6), [2, 3]);
  const l0 = { weight: new Tensor(new Float32Array(12), [4, 3]), bias: new Tensor(new Float32Array(4), [4]) };
  const l1 = { weight: new Tensor(new Float32Array(10), [2, 5]), bias: null };
  assert.throws(() => ag.mlpRelu(g, x, [l0, l1], true, false), /layer 1 has weight \[2, 5\].*4 features/);
  assert.throws(() => ag.mlpRelu(g, x, [], true, false), /at least one layer/);
});

test.run();
