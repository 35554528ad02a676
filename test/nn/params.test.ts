/** Flat parameter storage with state-dict names, Linear's initialisation, the MLP's layout. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Tape, Tensor } from '../../src/autograd/index.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { checkStateDict, Linear, MLP, mlpSpecs, ParameterSet, Rng } from '../../src/nn/index.js';
import { assertClose } from '../helpers/assert.js';

test('mlp parameters are named as nn.Sequential numbers them, with PyTorch shapes', () => {
  const specs = mlpSpecs('pi.net', [3, 256, 256]);
  assert.equal(specs.map((s) => `${s.name} [${s.shape}]`), [
    'pi.net.0.weight [256,3]', 'pi.net.0.bias [256]', 'pi.net.2.weight [256,256]', 'pi.net.2.bias [256]',
  ]);
  assert.throws(() => mlpSpecs('q', [3]), /at least two positive integers, got \[3\]/);
});

test('views share the flat buffers; slices cover a prefix; zeroGrad and freezing act on them', () => {
  const set = new ParameterSet([...mlpSpecs('pi', [2, 3, 1]), ...mlpSpecs('q1', [3, 2, 1])]);
  assert.is(set.size, 2 * 3 + 3 + 3 * 1 + 1 + 3 * 2 + 2 + 2 + 1);
  const w = set.get('q1.0.weight');
  w.data[1] = 5;
  w.grad![1] = 7;
  const q = set.slice('q1');
  assert.is(q.data.length, 3 * 2 + 2 + 2 + 1);
  assert.is(q.data[1], 5);
  assert.is(q.grad[1], 7);
  assert.is(set.slice('pi').data.byteOffset, set.data.byteOffset);
  set.zeroGrad(referenceKernels);
  assert.is(w.grad![1], 0);
  set.setRequiresGrad('q1', false);
  assert.not.ok(w.requiresGrad);
  assert.ok(set.get('pi.0.weight').requiresGrad);
  assert.throws(() => set.get('q2.0.weight'), /no parameter named 'q2.0.weight' \(have: pi.0.weight/);
  assert.throws(() => new ParameterSet([{ name: 'a', shape: [1] }, { name: 'a', shape: [2] }]), /duplicate parameter name 'a'/);
});

test('Linear initialises weight and bias in U(-1/sqrt(in), 1/sqrt(in)), as PyTorch', () => {
  const set = new ParameterSet([{ name: 'l.weight', shape: [64, 16] }, { name: 'l.bias', shape: [64] }]);
  const l = new Linear(set, 'l');
  l.init(new Rng(3));
  const bound = 1 / Math.sqrt(16);
  for (const t of [l.weight, l.bias]) {
    assert.ok(t.data.every((v) => Math.abs(v) <= bound), `${t.name} within the bound`);
    assert.ok(Math.max(...t.data.map(Math.abs)) > 0.8 * bound, `${t.name} spreads over the range`);
  }
  const mean = l.weight.data.reduce((a, b) => a + b, 0) / l.weight.size;
  assert.ok(Math.abs(mean) < 0.02, `weight mean ${mean}`);
});

test('load() copies a state dict by name and refuses missing names and wrong shapes', () => {
  const set = new ParameterSet(mlpSpecs('q', [2, 2]));
  const good = new Map([
    ['q.0.weight', { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }],
    ['q.0.bias', { shape: [2], data: Float32Array.of(5, 6) }],
  ]);
  set.load(good);
  assert.equal(Array.from(set.data), [1, 2, 3, 4, 5, 6]);
  assert.throws(() => set.load(new Map([['q.0.weight', good.get('q.0.weight')!]])), /missing 'q.0.bias'/);
  const wrong = new Map(good);
  wrong.set('q.0.bias', { shape: [3], data: Float32Array.of(1, 2, 3) });
  assert.throws(() => set.load(wrong), /'q.0.bias' has shape \[3\], expected \[2\]/);
  assert.equal(Array.from(set.data), [1, 2, 3, 4, 5, 6], 'a refused load changes nothing');
});

test('load() names every missing tensor, and unexpected ones where allowExtra refuses them', () => {
  const set = new ParameterSet(mlpSpecs('q', [2, 2, 1]));
  const t = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  assert.throws(() => set.load(new Map([['q.0.weight', t([2, 2])]])), /state dict is missing 'q.0.bias', 'q.2.weight', 'q.2.bias'$/);
  const full = new Map([['q.0.weight', t([2, 2])], ['q.0.bias', t([2])], ['q.2.weight', t([1, 2])], ['q.2.bias', t([1])]]);
  const more = new Map([...full, ['targ.q.0.bias', t([2])], ['other', t([1])], ['more', t([1])]]);
  set.load(more); // any extra name by default: a checkpoint holds other sets' tensors too
  const onlyTarg = { allowExtra: (n: string) => n.startsWith('targ.') };
  assert.throws(() => set.load(more, onlyTarg), /state dict has 2 unexpected tensors 'other', 'more'$/);
  more.delete('q.2.bias');
  assert.throws(() => set.load(more, onlyTarg), /state dict is missing 'q.2.bias' and has 2 unexpected tensors 'other', 'more'$/);
  full.set('q.2.bias', { shape: [1], data: new Float32Array(2) });
  assert.throws(() => set.load(full), /state dict 'q.2.bias' has 2 values, its shape \[1\] needs 1/);
  const many = new Map([...Array(12).keys()].map((i) => [`x${i}`, t([1])]));
  assert.throws(() => checkStateDict([], many, { allowExtra: () => false }), /12 unexpected tensors 'x0', .*'x9' and 2 more$/);
});

test('MLP applies the hidden and output activations', () => {
  const set = new ParameterSet(mlpSpecs('m', [1, 1, 1]));
  set.load(new Map([
    ['m.0.weight', { shape: [1, 1], data: Float32Array.of(-1) }], ['m.0.bias', { shape: [1], data: Float32Array.of(0) }],
    ['m.2.weight', { shape: [1, 1], data: Float32Array.of(2) }], ['m.2.bias', { shape: [1], data: Float32Array.of(-3) }],
  ]));
  const g = new Tape(referenceKernels);
  const x = new Tensor(Float32Array.of(-0.5, 0.5), [2, 1]);
  const relu = new MLP(set, 'm', [1, 1, 1], 'relu', 'identity').forward(g, x);
  assert.equal(Array.from(relu.data), [2 * 0.5 - 3, -3]); // 2 relu(-x) - 3
  const tanh = new MLP(set, 'm', [1, 1, 1], 'tanh', 'tanh').forward(g, x);
  assertClose(tanh.data, [Math.tanh(2 * Math.tanh(0.5) - 3), Math.tanh(2 * Math.tanh(-0.5) - 3)], { rtol: 1e-6 });
});

test.run();
