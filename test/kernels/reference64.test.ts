import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { referenceKernels, referenceKernels64 } from '../../src/kernels/reference.js';

const reference64 = suite('reference64');

// The float64 reference takes Float64Arrays where the interface says Float32Array.
const f64 = (values: number[]) => Float64Array.from(values) as unknown as Float32Array;

reference64('computes and stores in float64, rounding nothing', () => {
  assert.is(referenceKernels64.sum(f64([0.1, 0.2])), 0.1 + 0.2);
  const c = f64([0, 0]);
  // [0.1 0.2] * [[1, 0.3], [0.7, 1]] = [0.1 + 0.14, 0.03 + 0.2]
  referenceKernels64.gemm(false, false, 1, 2, 2, 1, f64([0.1, 0.2]), f64([1, 0.3, 0.7, 1]), 0, c);
  assert.equal(Array.from(c), [0.1 + 0.2 * 0.7, 0.1 * 0.3 + 0.2]);
  const out = f64([0, 0]);
  referenceKernels64.clamp(out, f64([-0.30000000001, 0.5]), -0.3, 0.3);
  assert.equal(Array.from(out), [-0.3, 0.3], 'clamp bounds are not rounded to float32');
});

reference64('validates like the float32 reference, expecting Float64Array', () => {
  assert.throws(() => referenceKernels64.tanh(new Float32Array(2), f64([1, 2])),
    (e: Error) => e instanceof TypeError && e.message === "tanh: argument 'out' must be a Float64Array, got Float32Array(length 2)");
  assert.throws(() => referenceKernels64.tanh(f64([1, 2]), f64([1])), RangeError);
});

reference64('leaves the float32 reference expecting Float32Array, even after a throw', () => {
  assert.throws(() => referenceKernels64.exp(f64([1]), new Float32Array(1)), TypeError);
  assert.throws(() => referenceKernels.exp(f64([1]), f64([1])),
    (e: Error) => e instanceof TypeError && e.message.includes('must be a Float32Array'));
});

reference64.run();
