/** linear: y = x W^T + b (PyTorch's nn.Linear; W is [out, in]), with ReLU fused if asked. */
import type { Tape } from '../tape.js';
import { shapeStr, Tensor } from '../tensor.js';

// x is (B, I) (or any leading shape with I last), weight is (O, I), bias is (O); out is (B, O).
export function linear(g: Tape, x: Tensor, weight: Tensor, bias: Tensor | null, relu = false): Tensor {
  const [O, I] = weight.shape as [number, number];
  if (weight.shape.length !== 2 || x.shape[x.shape.length - 1] !== I || (bias && (bias.shape.length !== 1 || bias.shape[0] !== O)))
    throw new RangeError(`linear: x ${shapeStr(x.shape)}, weight ${shapeStr(weight.shape)} and bias ${bias ? shapeStr(bias.shape) : 'null'} do not fit (need x [..., I], weight [O, I], bias [O])`);
  const B = x.size / I;
  const out = g.empty([...x.shape.slice(0, -1), O], relu ? 'relu(linear)' : 'linear');
  g.k.linearForward(out.data, x.data, weight.data, bias ? bias.data : null, B, I, O, relu);
  g.record(relu ? 'linear+relu' : 'linear', [out], bias ? [x, weight, bias] : [x, weight], () => {
    let dout = out.grad!;
    if (relu) {
      // Through the fused ReLU first: d(pre-activation) = dout where out > 0 (written into
      // fresh scratch, so it needs no zeroing).
      const dpre = g.scratch(out.size);
      g.k.reluGrad(dpre, dout, out.data);
      dout = dpre;
    }
    g.k.linearBackward(x.requiresGrad ? x.grad! : null, weight.requiresGrad ? weight.grad! : null,
      bias && bias.requiresGrad ? bias.grad! : null, dout, x.data, weight.data, B, I, O);
  });
  return out;
}

/** One layer of mlpRelu: PyTorch's nn.Linear parameters (weight [out, in], bias [out] or null). */
export interface LinearParams {
  weight: Tensor;
  bias: Tensor | null;
}

/**
 * A stack of linear layers with a ReLU after each hidden one (when hiddenRelu) and after the
 * last (when outputRelu): the values and gradients of the per-layer `linear` ops, bit for
 * bit, as one tape entry. Its backward takes each hidden ReLU inside the next layer's
 * input-gradient kernel (k.linearInputGrad, the activation as the mask), so a hidden layer
 * costs no zeroed gradient buffer and no separate ReLU pass: three fewer trips through
 * memory for each 256x256 activation.
 */
export function mlpRelu(g: Tape, x: Tensor, layers: readonly LinearParams[], hiddenRelu: boolean, outputRelu: boolean): Tensor {
  if (layers.length === 0) throw new RangeError('mlpRelu: needs at least one layer, got none');
  const lead = x.shape.slice(0, -1);
  let width = x.shape[x.shape.length - 1]!;
  layers.forEach(({ weight, bias }, j) => {
    const [O, I] = weight.shape as [number, number];
    if (weight.shape.length !== 2 || I !== width || (bias && (bias.shape.length !== 1 || bias.shape[0] !== O)))
      throw new RangeError(`mlpRelu: layer ${j} has weight ${shapeStr(weight.shape)} and bias ${bias ? shapeStr(bias.shape) : 'null'}, but its input has ${width} features (need weight [O, ${width}], bias [O])`);
    width = O;
  });
  const B = x.size / layers[0]!.weight.shape[1]!;
  // With nothing to differentiate (noGrad: the backup's target networks), the hidden
  // activations are used once, by the next layer: they go to two buffers used in turn,
  // which stay in cache, rather than to fresh arena buffers a whole update cold.
  // A captured step keeps them apart (arena buffers): two networks' passes that share no
  // buffer can run at the same time in the plan (the target Q-networks, say).
  const kept = g.capturing || (g.gradEnabled && (x.requiresGrad || layers.some(({ weight, bias }) => weight.requiresGrad || (bias?.requiresGrad ?? false))));
  // hs[j] is layer j's input: x, then each layer's (activated) output.
  const hs: Tensor[] = [x];
  layers.forEach(({ weight, bias }, j) => {
    const [O, I] = weight.shape as [number, number];
    const last = j === layers.length - 1;
    const relu = last ? outputRelu : hiddenRelu;
    const name = relu ? 'relu(linear)' : 'linear';
    const out = kept || last ? g.empty([...lead, O], name) : new Tensor(g.transient(B * O, j % 2), [...lead, O], false, name);
    g.k.linearForward(out.data, hs[j]!.data, weight.data, bias ? bias.data : null, B, I, O, relu);
    hs.push(out);
  });
  const y = hs[layers.length]!;
  const params = layers.flatMap(({ weight, bias }) => (bias ? [weight, bias] : [weight]));
  g.record(`mlp(${layers.length} layers)`, [y], [x, ...params], () => {
    // needsBelow[j]: some gradient is wanted below layer j (x's, or a parameter's of an
    // earlier layer), so layer j's input gradient must be formed.
    const needsBelow: boolean[] = [x.requiresGrad];
    layers.forEach(({ weight, bias }, j) => needsBelow.push(needsBelow[j]! || weight.requiresGrad || (bias?.requiresGrad ?? false)));
    let d = y.grad!;
    if (outputRelu) {
      const s = g.scratch(y.size);
      g.k.reluGrad(s, d, y.data);
      d = s;
    }
    for (let j = layers.length - 1; j >= 0; j--) {
      const { weight, bias } = layers[j]!, inp = hs[j]!;
      const [O, I] = weight.shape as [number, number];
      const dw = weight.requiresGrad ? weight.grad! : null, db = bias && bias.requiresGrad ? bias.grad! : null;
      if (dw || db) g.k.linearBackward(null, dw, db, d, inp.data, weight.data, B, I, O);
      if (!needsBelow[j]) break;
      if (j === 0) {
        g.k.linearBackward(x.grad!, null, null, d, x.data, weight.data, B, I, O);
      } else {
        const next = g.scratch(inp.size);
        g.k.linearInputGrad(next, d, weight.data, hiddenRelu ? inp.data : null, B, I, O);
        d = next;
      }
    }
  });
  return y;
}
