/**
 * Every op's backward against central finite differences, both computed in float64 (as
 * torch.autograd.gradcheck does): the graph runs on the float64 reference kernels, each
 * input element is nudged by +-h, and d(loss)/d(input) from backward must match
 * (f(x + h) - f(x - h)) / 2h. The loss is sum(out * w) with a random w, so every output
 * element carries its own gradient. Inputs stay away from kinks (ReLU at 0, clamp bounds,
 * ties of minimum) except where a test is about the flat side of one. The whole MLP is
 * checked with tanh hidden layers, which have no kinks.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import * as ag from '../../src/autograd/index.js';
import { Tape, Tensor } from '../../src/autograd/index.js';
import { referenceKernels64 } from '../../src/kernels/reference.js';
import { MLP, mlpSpecs, ParameterSet, Rng } from '../../src/nn/index.js';

type Build = (g: Tape, xs: Tensor[]) => Tensor;
interface Input { shape: number[]; values: number[] }

const f64 = (values: readonly number[]) => Float64Array.from(values) as unknown as Float32Array;

function loss(g: Tape, out: Tensor, w: Float32Array): Tensor {
  return ag.sum(g, ag.mul(g, out, new Tensor(w, out.shape)));
}

/** Checks d(sum(build(xs) * w))/d(xs) against central differences, failing on the first miss. */
function gradcheck(name: string, build: Build, inputs: Input[], { h = 1e-6, rtol = 1e-6, atol = 1e-8 } = {}): void {
  const rng = new Rng(name.length);
  const xs = inputs.map((inp) => new Tensor(f64(inp.values), inp.shape, true, `x${inputs.indexOf(inp)}`));
  const g = new Tape(referenceKernels64, { kind: 'float64' });
  const out = build(g, xs);
  const w = f64(Array.from({ length: out.size }, () => rng.uniformIn(-1, 1)));
  g.backward(loss(g, out, w));
  const analytic = xs.map((x) => Float64Array.from(x.grad!));
  g.reset();
  const f = () => {
    const t = new Tape(referenceKernels64, { kind: 'float64' });
    return t.noGrad(() => loss(t, build(t, xs), w).item());
  };
  xs.forEach((x, i) => {
    for (let j = 0; j < x.size; j++) {
      const x0 = x.data[j]!;
      x.data[j] = x0 + h;
      const fp = f();
      x.data[j] = x0 - h;
      const fm = f();
      x.data[j] = x0;
      const numeric = (fp - fm) / (2 * h);
      const a = analytic[i]![j]!;
      const err = Math.abs(a - numeric);
      if (!(err <= atol + rtol * Math.max(Math.abs(a), Math.abs(numeric)) + 1e-9 * Math.abs(fp + fm))) {
        assert.unreachable(`${name}: d/d${x.name}[${j}] backward ${a}, finite difference ${numeric} (|diff| ${err})`);
      }
    }
  });
}

const rng = new Rng(12345);
const normal = (n: number, s = 1) => Array.from({ length: n }, () => s * rng.normal());
// Values away from 0 by at least 0.1 (ReLU's kink), either sign.
const awayFromZero = (n: number) => normal(n).map((v) => (v >= 0 ? v + 0.1 : v - 0.1));
const positive = (n: number) => normal(n).map((v) => Math.abs(v) + 0.2);

test('linear, with and without bias, with and without the fused ReLU', () => {
  const x = { shape: [5, 4], values: normal(20) }, w = { shape: [3, 4], values: normal(12) }, b = { shape: [3], values: normal(3) };
  gradcheck('linear', (g, [x, w, b]) => ag.linear(g, x!, w!, b!), [x, w, b]);
  gradcheck('linear no bias', (g, [x, w]) => ag.linear(g, x!, w!, null), [x, w]);
  // Pre-activations kept away from 0 by shifting the bias.
  gradcheck('linear+relu', (g, [x, w, b]) => ag.linear(g, x!, w!, b!, true), [x, w, { shape: [3], values: [30, -30, 25] }]);
});

test('mlpRelu: hidden ReLUs (folded into the next layer\'s input gradient), with and without the output ReLU, identity stacks', () => {
  // Biases far from 0 keep every pre-activation away from the ReLU's kink; the last
  // layer's mixed biases leave some outputs on each side.
  const x = { shape: [5, 4], values: normal(20) };
  const w0 = { shape: [6, 4], values: normal(24) }, b0 = { shape: [6], values: [30, -30, 25, -25, 35, 40] };
  const w1 = { shape: [3, 6], values: normal(18) }, b1 = { shape: [3], values: [-40, 45, 50] };
  const w2 = { shape: [2, 3], values: normal(6) }, b2 = { shape: [2], values: [60, -70] };
  const stack = (xs: Tensor[]) => [{ weight: xs[1]!, bias: xs[2]! }, { weight: xs[3]!, bias: xs[4]! }, { weight: xs[5]!, bias: xs[6]! }];
  gradcheck('mlpRelu', (g, xs) => ag.mlpRelu(g, xs[0]!, stack(xs), true, false), [x, w0, b0, w1, b1, w2, b2]);
  gradcheck('mlpRelu output relu', (g, xs) => ag.mlpRelu(g, xs[0]!, stack(xs), true, true), [x, w0, b0, w1, b1, w2, b2]);
  gradcheck('mlpRelu identity', (g, xs) => ag.mlpRelu(g, xs[0]!, stack(xs), false, false), [x, w0, b0, w1, b1, w2, b2]);
  gradcheck('mlpRelu one layer', (g, xs) => ag.mlpRelu(g, xs[0]!, [{ weight: xs[1]!, bias: null }], true, true), [x, w0]);
});

test('relu, tanh, exp, log, softplus (both sides of its threshold 20), square', () => {
  gradcheck('relu', (g, [x]) => ag.relu(g, x!), [{ shape: [2, 6], values: awayFromZero(12) }]);
  gradcheck('tanh', (g, [x]) => ag.tanh(g, x!), [{ shape: [7], values: [...normal(5, 2), 8, -9] }]);
  gradcheck('exp', (g, [x]) => ag.exp(g, x!), [{ shape: [6], values: normal(6, 2) }]);
  gradcheck('log', (g, [x]) => ag.log(g, x!), [{ shape: [6], values: positive(6) }]);
  gradcheck('softplus', (g, [x]) => ag.softplus(g, x!), [{ shape: [8], values: [...normal(5, 3), 19.5, 21, -30] }]);
  gradcheck('square', (g, [x]) => ag.square(g, x!), [{ shape: [3, 2], values: normal(6) }]);
});

test('clamp passes the gradient inside and blocks it outside', () => {
  gradcheck('clamp', (g, [x]) => ag.clamp(g, x!, -1, 2), [{ shape: [8], values: [-3, -1.5, -0.5, 0, 0.7, 1.9, 2.5, 40] }]);
});

test('add, sub, mul, div: same shapes, a one-element tensor, a row under a batch, numbers', () => {
  const a = { shape: [4, 3], values: normal(12) }, b = { shape: [4, 3], values: positive(12) };
  const row = { shape: [3], values: positive(3) }, one = { shape: [1], values: [1.7] };
  for (const [name, op] of [['add', ag.add], ['sub', ag.sub], ['mul', ag.mul], ['div', ag.div]] as const) {
    gradcheck(`${name} same`, (g, [x, y]) => op(g, x!, y!), [a, b]);
    gradcheck(`${name} row`, (g, [x, y]) => op(g, x!, y!), [a, row]);
    gradcheck(`${name} scalar tensor`, (g, [x, y]) => op(g, x!, y!), [a, one]);
    gradcheck(`${name} number`, (g, [x]) => op(g, x!, 0.75), [a]);
    if (name !== 'div') gradcheck(`${name} number first`, (g, [x]) => op(g, 1.25, x!), [a]);
    gradcheck(`${name} row first`, (g, [x, y]) => op(g, x!, y!), [row, b]);
  }
});

test('sum and mean over everything and over the last axis', () => {
  const x = { shape: [3, 5], values: normal(15) };
  gradcheck('sum', (g, [x]) => ag.sum(g, x!), [x]);
  gradcheck('sum(-1)', (g, [x]) => ag.sum(g, x!, -1), [x]);
  gradcheck('mean', (g, [x]) => ag.mean(g, x!), [x]);
  gradcheck('mean(-1)', (g, [x]) => ag.mean(g, x!, -1), [x]);
});

test('minimum, concat on the last axis, squeeze, mse', () => {
  const a = normal(10), b = a.map((v, i) => v + (i % 2 ? 0.5 : -0.5)); // no ties
  gradcheck('minimum', (g, [x, y]) => ag.minimum(g, x!, y!), [{ shape: [10], values: a }, { shape: [10], values: b }]);
  gradcheck('concat', (g, [x, y]) => ag.concat(g, [x!, y!]), [{ shape: [4, 3], values: normal(12) }, { shape: [4, 2], values: normal(8) }]);
  gradcheck('squeeze', (g, [x]) => ag.squeeze(g, x!), [{ shape: [5, 1], values: normal(5) }]);
  gradcheck('mse', (g, [x, y]) => ag.mse(g, x!, y!), [{ shape: [6], values: normal(6) }, { shape: [6], values: normal(6) }]);
});

test('the squashed Gaussian through mu and log_std, the clamp region and |u| up to 30', () => {
  // Columns: ordinary values; log_std below -20 and above 2 (clamped: zero gradient);
  // mu of +-25 and +-30 with a unit std, where the naive log(1 - tanh^2) would be -inf.
  const mu = [0.3, -0.4, 25, -30, 0.1, 0.2, -25, 30, 1.5];
  const logStd = [-0.5, 0.3, 0, 0, -22, 2.5, 0, 0, 1.2];
  const eps = [0.7, -1.1, 1, -0.5, 0.3, 0.9, 0.4, -0.2, -0.8];
  const scale = f64([2, 1, 0.5]), shift = f64([0, 0.5, -1]);
  const both: Build = (g, [m, s]) => {
    const { a, logp } = ag.squashedGaussian(g, m!, s!, new Tensor(f64(eps), [3, 3]), scale, shift);
    return ag.add(g, ag.sum(g, a), ag.sum(g, logp!));
  };
  gradcheck('squash a + logp', both, [{ shape: [3, 3], values: mu }, { shape: [3, 3], values: logStd }], { h: 1e-6, rtol: 1e-5 });
  const onlyA: Build = (g, [m, s]) => ag.squashedGaussian(g, m!, s!, new Tensor(f64(eps), [3, 3]), scale, shift, false).a;
  gradcheck('squash a only', onlyA, [{ shape: [3, 3], values: mu }, { shape: [3, 3], values: logStd }], { rtol: 1e-5 });
  const onlyLogp: Build = (g, [m, s]) => ag.squashedGaussian(g, m!, s!, new Tensor(f64(eps), [3, 3]), scale, shift).logp!;
  gradcheck('squash logp only', onlyLogp, [{ shape: [3, 3], values: mu }, { shape: [3, 3], values: logStd }], { rtol: 1e-5 });
});

test('a whole MLP: every parameter and the input', () => {
  const sizes = [4, 6, 5, 2];
  const params = new ParameterSet(mlpSpecs('m', sizes));
  const net = new MLP(params, 'm', sizes, 'tanh', 'identity');
  net.init(new Rng(9));
  // The parameters are the gradcheck's inputs: rebuild the layers' tensors around them.
  const inputs = params.names.map((n) => ({ shape: [...params.get(n).shape], values: Array.from(params.get(n).data) }));
  gradcheck('mlp', (g, xs) => {
    let h = xs[xs.length - 1]!;
    for (let j = 0; j < sizes.length - 1; j++) {
      h = ag.linear(g, h, xs[2 * j]!, xs[2 * j + 1]!);
      if (j < sizes.length - 2) h = ag.tanh(g, h);
    }
    return h;
  }, [...inputs, { shape: [3, 4], values: normal(12) }]);
});

test.run();
