import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { assertClose, guarded, Rng, U32, unaligned } from '../helpers/assert.js';
import { kernelBackends } from '../helpers/backends.js';

const reductions = suite('reductions');

const LENGTHS = [0, 1, 3, 17, 255, 256, 257, 4099, 100_003];
const SHAPES: Array<[number, number]> = [
  [1, 1], [1, 257], [257, 1], [3, 17], [17, 3], [255, 256], [256, 255], [257, 17], [0, 3], [3, 0],
];

/**
 * Sum of x[start + i * stride] for i < count in float64, with the allowance of any float32
 * summation order: (count + 1) u sum |x| (Higham, Accuracy and Stability, ch. 4), plus
 * `extra` roundings of the result.
 */
function sum64(x: ArrayLike<number>, start: number, count: number, stride: number,
  extra = 0): { sum: number; atol: number } {
  let sum = 0, mag = 0;
  for (let i = 0; i < count; i++) {
    sum += x[start + i * stride]!;
    mag += Math.abs(x[start + i * stride]!);
  }
  return { sum, atol: (count + 1 + extra) * U32 * mag };
}

for (const be of kernelBackends()) {
  reductions(`${be.label}: sum and mean on awkward lengths, deterministic`, () => {
    be.setup();
    for (const n of LENGTHS) {
      const x = unaligned(new Rng(n).array(n, -2, 3));
      const want = sum64(x, 0, n, 1);
      const s = be.kernels.sum(x);
      assert.is(s, Math.fround(s), `sum n=${n} returns a float32 value`);
      assertClose(s, want.sum, { atol: want.atol, label: `sum n=${n}` });
      // Fixed summation order for a given length and path: the same bits every call.
      assert.ok(Object.is(be.kernels.sum(x), s), `sum n=${n} is not deterministic`);
      if (n > 0) {
        assertClose(be.kernels.mean(x), want.sum / n, { atol: want.atol / n + 2 * U32 * Math.abs(want.sum / n), label: `mean n=${n}` });
      }
    }
    assert.is(be.kernels.sum(new Float32Array([0.5, 0.25, -2])), -1.25);
    assert.is(be.kernels.mean(new Float32Array([0.5, 0.25, -2, 3.25])), 0.5);
  });

  reductions(`${be.label}: sumRows on awkward shapes`, () => {
    be.setup();
    for (const [rows, cols] of SHAPES) {
      const x = unaligned(new Rng(rows * 31 + cols).array(rows * cols));
      const out = guarded(rows, new Float32Array(rows).fill(NaN));
      be.kernels.sumRows(out.x, x, rows, cols);
      const want = Array.from({ length: rows }, (_, r) => sum64(x, r * cols, cols, 1));
      assertClose(out.x, want.map((w) => w.sum), { atol: want.map((w) => w.atol), label: `sumRows ${rows}x${cols}` });
      out.checkGuards(`sumRows ${rows}x${cols}`);
    }
  });

  reductions(`${be.label}: sumColsAcc accumulates on awkward shapes`, () => {
    be.setup();
    for (const [rows, cols] of SHAPES) {
      const rng = new Rng(rows + cols * 37);
      const x = unaligned(rng.array(rows * cols));
      const init = rng.array(cols, -5, 5);
      const out = guarded(cols, init);
      be.kernels.sumColsAcc(out.x, x, rows, cols);
      const want = Array.from({ length: cols }, (_, c) => sum64(x, c, rows, cols, 1));
      assertClose(out.x, want.map((w, c) => init[c]! + w.sum), {
        atol: want.map((w, c) => w.atol + 2 * U32 * Math.abs(init[c]!)),
        label: `sumColsAcc ${rows}x${cols}`,
      });
      out.checkGuards(`sumColsAcc ${rows}x${cols}`);
    }
  });
}

reductions.run();
