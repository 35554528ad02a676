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
