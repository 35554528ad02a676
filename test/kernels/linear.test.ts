import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { assertClose, guarded, Rng, U32, unaligned } from '../helpers/assert.js';
import { kernelBackends } from '../helpers/backends.js';

const linear = suite('linear');

// (B, I, O): awkward sizes on every axis, small enough to keep the suite fast.
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1], [3, 17, 1], [1, 3, 17], [17, 3, 255], [256, 17, 3], [3, 257, 17], [255, 17, 256], [17, 256, 257],
];

/** out (B,O) = inp (B,I) weight^T + bias, ReLU if relu, in float64, with (I + 4) u allowances. */
function forward64(inp: Float32Array, weight: Float32Array, bias: Float32Array | null, B: number,
  I: number, O: number, relu: boolean): { out: Float64Array; atol: Float64Array } {
  const out = new Float64Array(B * O), atol = new Float64Array(B * O);
  for (let b = 0; b < B; b++) {
    for (let o = 0; o < O; o++) {
      let acc = bias ? bias[o]! : 0, mag = Math.abs(acc);
      for (let i = 0; i < I; i++) {
        acc += inp[b * I + i]! * weight[o * I + i]!;
        mag += Math.abs(inp[b * I + i]! * weight[o * I + i]!);
      }
      out[b * O + o] = relu ? Math.max(acc, 0) : acc;
      atol[b * O + o] = (I + 4) * U32 * mag;
    }
  }
  return { out, atol };
}

/**
 * init + the gradient of sum(dout * out) in float64, for a matrix product of `inner`
 * terms: res[r, c] = init[r, c] + sum_t x(r, t) y(t, c), with (inner + 3) u allowances.
 */
function accumulate64(init: Float32Array, rowsOut: number, colsOut: number, inner: number,
  term: (r: number, c: number, t: number) => number): { want: Float64Array; atol: Float64Array } {
  const want = new Float64Array(rowsOut * colsOut), atol = new Float64Array(rowsOut * colsOut);
  for (let r = 0; r < rowsOut; r++) {
    for (let c = 0; c < colsOut; c++) {
      let acc = init[r * colsOut + c]!, mag = Math.abs(acc);
      for (let t = 0; t < inner; t++) {
        const x = term(r, c, t);
        acc += x;
        mag += Math.abs(x);
      }
      want[r * colsOut + c] = acc;
      atol[r * colsOut + c] = (inner + 3) * U32 * mag;
    }
  }
  return { want, atol };
}

for (const be of kernelBackends()) {
  for (const withBias of [false, true]) {
    for (const relu of [false, true]) {
      linear(`${be.label}: linearForward bias=${withBias} relu=${relu}`, () => {
        be.setup();
        for (const [B, I, O] of SHAPES) {
          const rng = new Rng(B * 7 + I * 13 + O);
          const inp = unaligned(rng.array(B * I));
          const weight = unaligned(rng.array(O * I));
          const bias = withBias ? unaligned(rng.array(O)) : null;
          const out = guarded(B * O);
          be.kernels.linearForward(out.x, inp, weight, bias, B, I, O, relu);
          const label = `${B}x${I}x${O}`;
          const want = forward64(inp, weight, bias, B, I, O, relu);
          assertClose(out.x, want.out, { atol: want.atol, label });
          out.checkGuards(label);
          if (relu) assert.ok(out.x.every((v) => v >= 0), `${label}: ReLU output has a negative value`);
        }
      });
    }
  }

  linear(`${be.label}: linearForward ReLU zeroes exactly the negative pre-activations`, () => {
    be.setup();
    // inp = [1, -1], weight rows [2, 1], [1, 3], [0, 0]; bias [0, 0, -0.5] -> [1, -2, -0.5].
    const out = new Float32Array(3);
    const inp = new Float32Array([1, -1]), weight = new Float32Array([2, 1, 1, 3, 0, 0]);
    const bias = new Float32Array([0, 0, -0.5]);
    be.kernels.linearForward(out, inp, weight, bias, 1, 2, 3, false);
    assert.equal(Array.from(out), [1, -2, -0.5]);
    be.kernels.linearForward(out, inp, weight, bias, 1, 2, 3, true);
    assert.equal(Array.from(out), [1, 0, 0]);
  });

  // Every combination of the three optional outputs, each accumulating onto non-zero values.
  for (let mask = 0; mask < 8; mask++) {
    const want = { dinp: (mask & 1) !== 0, dweight: (mask & 2) !== 0, dbias: (mask & 4) !== 0 };
    const name = Object.entries(want).map(([k, v]) => `${k}${v ? '' : '=null'}`).join(' ');
    linear(`${be.label}: linearBackward ${name}`, () => {
      be.setup();
      for (const [B, I, O] of SHAPES) {
        const rng = new Rng(B + I * 3 + O * 5 + mask);
        const dout = unaligned(rng.array(B * O));
        const inp = unaligned(rng.array(B * I));
        const weight = unaligned(rng.array(O * I));
        const init = { dinp: rng.array(B * I), dweight: rng.array(O * I), dbias: rng.array(O) };
        const dinp = want.dinp ? guarded(B * I, init.dinp) : null;
        const dweight = want.dweight ? guarded(O * I, init.dweight) : null;
        const dbias = want.dbias ? guarded(O, init.dbias) : null;
        const inputsBefore = [dout.slice(), inp.slice(), weight.slice()];
        be.kernels.linearBackward(dinp?.x ?? null, dweight?.x ?? null, dbias?.x ?? null, dout, inp,
          weight, B, I, O);
        const label = `${B}x${I}x${O}`;
        // Inputs are read-only (and with every output null the call must do nothing at all).
        assert.equal([dout, inp, weight], inputsBefore, `${label}: an input was written`);
        if (dinp) {
          // dinp[b, i] += sum_o dout[b, o] weight[o, i]
          const r = accumulate64(init.dinp, B, I, O, (b, i, o) => dout[b * O + o]! * weight[o * I + i]!);
          assertClose(dinp.x, r.want, { atol: r.atol, label: `${label} dinp` });
          dinp.checkGuards(`${label} dinp`);
        }
        if (dweight) {
          // dweight[o, i] += sum_b dout[b, o] inp[b, i]
          const r = accumulate64(init.dweight, O, I, B, (o, i, b) => dout[b * O + o]! * inp[b * I + i]!);
          assertClose(dweight.x, r.want, { atol: r.atol, label: `${label} dweight` });
          dweight.checkGuards(`${label} dweight`);
        }
        if (dbias) {
          // dbias[o] += sum_b dout[b, o]
          const r = accumulate64(init.dbias, 1, O, B, (_, o, b) => dout[b * O + o]!);
          assertClose(dbias.x, r.want, { atol: r.atol, label: `${label} dbias` });
          dbias.checkGuards(`${label} dbias`);
        }
      }
    });
  }
}

// linearInputGrad: dinp = mask > 0 ? dout weight : 0, written. Against float64 on awkward
// shapes (with exact zeros, -0 and NaN in the mask), and bit for bit against what it
// replaces on the same backend: linearBackward onto zeros, then reluGrad.
for (const be of kernelBackends()) {
  for (const masked of [false, true]) {
    linear(`${be.label}: linearInputGrad mask=${masked}`, () => {
      be.setup();
      const k = be.kernels;
      for (const [B, I, O] of [...SHAPES, [256, 256, 256], [257, 256, 1], [1, 257, 255], [3, 4, 300]] as Array<[number, number, number]>) {
        const rng = new Rng(B * 13 + I * 7 + O + (masked ? 1 : 0));
        const dout = unaligned(rng.array(B * O)), weight = unaligned(rng.array(O * I));
        const mask = masked ? rng.array(B * I) : null;
        if (mask) for (let i = 0; i < mask.length; i += 5) mask[i] = [0, -0, NaN][(i / 5) % 3]!;
        const dinp = guarded(B * I, new Float32Array(B * I).fill(NaN)); // written, never read
        // Bytes, not values: the mask holds NaN (which no value comparison finds equal).
        const bytesOf = (x: Float32Array | null) => (x ? Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex') : '');
        const before = [dout, weight, mask].map(bytesOf);
        k.linearInputGrad(dinp.x, dout, weight, mask, B, I, O);
        const label = `${B}x${I}x${O}`;
        assert.equal([dout, weight, mask].map(bytesOf), before, `${label}: an input was written`);
        dinp.checkGuards(`${label} dinp`);
        const r = accumulate64(new Float32Array(B * I), B, I, O, (b, i, o) => dout[b * O + o]! * weight[o * I + i]!);
        if (mask) for (let j = 0; j < mask.length; j++) if (!(mask[j]! > 0)) { r.want[j] = 0; r.atol[j] = 0; }
        assertClose(dinp.x, r.want, { atol: r.atol, label: `${label} dinp` });
        // The composition it replaces gives the same bits.
        const acc = new Float32Array(B * I);
        k.linearBackward(acc, null, null, dout, new Float32Array(B * I), weight, B, I, O);
        const want = mask ? new Float32Array(B * I) : acc;
        if (mask) k.reluGrad(want, acc, mask);
        const same = dinp.x.every((v, j) => Object.is(v, want[j]));
        assert.ok(same, `${label}: differs from linearBackward onto zeros + reluGrad`);
      }
    });
  }
}

linear.run();
