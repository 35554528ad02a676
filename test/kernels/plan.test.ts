/**
 * Plans (Kernels.createPlan, native/src/plan.cc): a plan repeats its calls with the bits
 * of the calls made one by one, on every path and thread count; every call is validated
 * when the plan is built (lengths, overlap, opcodes, argument types), with an error that
 * names the step, before any memory is touched.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { rawAddon } from '../../src/kernels/index.js';
import type { PlanCall } from '../../src/kernels/index.js';
import { Rng } from '../../src/nn/index.js';
import { kernelBackends } from '../helpers/backends.js';

const natives = kernelBackends().filter((b) => b.kernels.createPlan);
const rand = (n: number, seed: number) => new Rng(seed).fillNormal(new Float32Array(n));

for (const be of natives) {
  test(`${be.label}: a plan of a layer's forward and backward gives the bits of the direct calls`, () => {
    be.setup();
    const k = be.kernels, B = 37, I = 70, O = 45;
    const make = () => ({ x: rand(B * I, 1), w: rand(O * I, 2), b: rand(O, 3), y: new Float32Array(B * O), dy: rand(B * O, 4), dp: new Float32Array(B * O),
      dx: new Float32Array(B * I), dw: new Float32Array(O * I), db: new Float32Array(O), s: new Float32Array(1) });
    const calls = (t: ReturnType<typeof make>): PlanCall[] => [
      { op: 'linearForward', args: [t.y, t.x, t.w, t.b, B, I, O, true] },
      { op: 'reluGrad', args: [t.dp, t.dy, t.y] },
      { op: 'linearBackward', args: [t.dx, t.dw, t.db, t.dp, t.x, t.w, B, I, O] },
      { op: 'reduceAll', args: [t.s, t.dw, 1] },
      { op: 'spread', args: [t.dx, t.s, B * I, 0.5] },
    ];
    const direct = make(), planned = make();
    k.linearForward(direct.y, direct.x, direct.w, direct.b, B, I, O, true);
    k.reluGrad(direct.dp, direct.dy, direct.y);
    k.linearBackward(direct.dx, direct.dw, direct.db, direct.dp, direct.x, direct.w, B, I, O);
    direct.s[0] = k.mean(direct.dw);
    for (let i = 0; i < direct.dx.length; i++) direct.dx[i] += direct.s[0]! * 0.5;
    const plan = k.createPlan!(calls(planned));
    plan.run();
    for (const key of ['y', 'dp', 'dx', 'dw', 'db', 's'] as const)
      assert.equal(Array.from(planned[key]), Array.from(direct[key]), key);
  });
}

if (natives[0]) {
  const k = natives[0].kernels;
  const a = new Float32Array(6), b = new Float32Array(6), c = new Float32Array(4);
  test('createPlan refuses a wrong length, naming the step and the argument', () => {
    assert.throws(() => k.createPlan!([{ op: 'fill', args: [a, 0] }, { op: 'add', args: [a, b, c] }]), /plan step 1 \(add\): argument 2 must have length out.length = 6, got 4/);
  });
  test('createPlan refuses an output overlapping an input, and allows the exact alias where the kernel does', () => {
    assert.throws(() => k.createPlan!([{ op: 'relu', args: [a.subarray(0, 4), a.subarray(2, 6)] }]), /plan step 0 \(relu\): argument 0 must not overlap argument 1/);
    k.createPlan!([{ op: 'add', args: [a, a, b] }]).run();
  });
  test('a plan reports its work and span: independent calls overlap, dependent ones chain', () => {
    const x = new Float32Array(100), y = new Float32Array(100), z = new Float32Array(100);
    const side = k.createPlan!([{ op: 'fill', args: [x, 1] }, { op: 'fill', args: [y, 2] }]).stats!();
    assert.equal([side.steps, side.work, side.span], [2, 200, 100]);
    const chain = k.createPlan!([{ op: 'fill', args: [x, 1] }, { op: 'add', args: [z, x, y] }, { op: 'fill', args: [y, 2] }]).stats!();
    assert.equal([chain.steps, chain.work, chain.span], [3, 300, 300]);
  });

  test('createPlan refuses a call a plan cannot hold', () => {
    assert.throws(() => k.createPlan!([{ op: 'sum', args: [a] }]), /call 0 is 'sum', which a plan cannot hold/);
  });
  test('planCreate refuses bad codes and arguments from a direct caller', () => {
    const raw = rawAddon()!;
    assert.throws(() => raw.planCreate([a], Float64Array.of(999, 0)), /plan step 0: unknown opcode/);
    assert.throws(() => raw.planCreate([a], Float64Array.of(raw.planOps().indexOf('fill'), 2, 5, 0)), /must be a buffer index below 1/);
    assert.throws(() => raw.planCreate([a], Float64Array.of(raw.planOps().indexOf('fill'), 3, 0, 0)), /expected 2 arguments, got 3/);
    assert.throws(() => raw.planCreate([a], Float64Array.of(raw.planOps().indexOf('fill'), 2)), /the code ends inside the call/);
    assert.throws(() => raw.planCreate([new Float64Array(2) as unknown as Float32Array], new Float64Array(0)), /buffers\[0\] must be a Float32Array/);
    assert.throws(() => raw.planCreate([a], new Float32Array(2) as unknown as Float64Array), /argument 'code' must be a Float64Array/);
    assert.throws(() => raw.planRun({}), /must be a plan from planCreate/);
  });
}

test.run();
