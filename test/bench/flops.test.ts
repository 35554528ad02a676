/**
 * The FLOP count of `softac bench sac` against the work an update actually does: every
 * matrix product the kernels are asked for during one SAC update, counted by a wrapper
 * around the kernels, must add up to sacUpdateFlops (no more: a frozen Q-network's weight
 * gradient is never computed in the policy step).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { sacUpdateFlops } from '../../bench/flops.js';
import { referenceKernels } from '../../src/kernels/index.js';
import type { Kernels } from '../../src/kernels/index.js';
import { Rng } from '../../src/nn/index.js';
import { ReplayBuffer } from '../../src/sac/buffer.js';
import { SAC } from '../../src/sac/sac.js';

function counting(k: Kernels): { k: Kernels; flops: () => number } {
  let n = 0;
  const wrapped: Kernels = Object.create(k);
  wrapped.linearForward = (out, x, w, b, B, I, O, relu) => { n += 2 * B * I * O; return k.linearForward(out, x, w, b, B, I, O, relu); };
  wrapped.linearBackward = (dx, dw, db, dout, x, w, B, I, O) => {
    n += (dx ? 2 * B * I * O : 0) + (dw ? 2 * B * I * O : 0);
    return k.linearBackward(dx, dw, db, dout, x, w, B, I, O);
  };
  wrapped.linearInputGrad = (dx, dout, w, mask, B, I, O) => { n += 2 * B * I * O; return k.linearInputGrad(dx, dout, w, mask, B, I, O); };
  wrapped.gemm = (...args: Parameters<Kernels['gemm']>) => { n += 2 * args[2] * args[3] * args[4]; return k.gemm(...args); };
  return { k: wrapped, flops: () => n };
}

test('one update does exactly the matrix work sacUpdateFlops counts, for several shapes', () => {
  for (const [B, d, a, hidden] of [[256, 3, 1, [256, 256]], [100, 17, 6, [256, 256]], [7, 5, 2, [9, 4, 6]]] as const) {
    const c = counting(referenceKernels);
    const sac = new SAC(c.k, d, { low: new Array(a).fill(-1), high: new Array(a).fill(1) }, { hidden: [...hidden], batchSize: B }, 0);
    const buf = new ReplayBuffer(d, a, 50);
    const rng = new Rng(0);
    for (let i = 0; i < 50; i++) buf.store(Array.from({ length: d }, () => rng.normal()), new Array(a).fill(0.5), 1, Array.from({ length: d }, () => rng.normal()), false);
    const batch = buf.sampleBatch(B, rng);
    const before = c.flops();
    sac.update(batch);
    assert.is(c.flops() - before, sacUpdateFlops({ batch: B, obsDim: d, actDim: a, hidden }).total, `B ${B}, dims ${d}x${a}, hidden ${hidden}`);
  }
});

test("the issue's figure: about 0.55 GFLOP per update at batch 256, Pendulum dims, hidden (256, 256)", () => {
  const f = sacUpdateFlops({ batch: 256, obsDim: 3, actDim: 1, hidden: [256, 256] });
  assert.ok(Math.abs(f.total / 1e9 - 0.546) < 0.002, `${f.total / 1e9}`);
});

test.run();

test('an update makes one ReLU-gradient pass and no zero-fill of a hidden activation: hidden ReLUs go through linearInputGrad', () => {
  const calls = new Map<string, number[]>();
  const wrapped: Kernels = Object.create(referenceKernels);
  for (const name of ['reluGrad', 'fill', 'linearInputGrad'] as const) {
    (wrapped as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const first = args[0] as Float32Array;
      (calls.get(name) ?? calls.set(name, []).get(name)!).push(first.length);
      return (referenceKernels[name] as (...a: unknown[]) => unknown)(...args);
    };
  }
  const B = 32, H = 48;
  const sac = new SAC(wrapped, 3, { low: [-1], high: [1] }, { hidden: [H, H], batchSize: B }, 0);
  const buf = new ReplayBuffer(3, 1, 64);
  const rng = new Rng(0);
  for (let i = 0; i < 64; i++) buf.store([rng.normal(), rng.normal(), rng.normal()], [0.5], 1, [rng.normal(), rng.normal(), rng.normal()], false);
  sac.update(buf.sampleBatch(B, rng));
  calls.clear();
  sac.update(buf.sampleBatch(B, rng));
  // The actor's torso ends in a ReLU read by two heads: its gradient is the one reluGrad.
  assert.equal(calls.get('reluGrad'), [B * H]);
  // Zero fills of a [B, H] activation: only that torso output's gradient (the heads add
  // into it); zeroGrad's two fills are over the parameter blocks.
  assert.is((calls.get('fill') ?? []).filter((n) => n === B * H).length, 1);
  // Input gradients through a hidden ReLU: q1 and q2 twice (Q step, policy step; from the
  // output layer and from the second layer), and the actor's second layer: 9 in all.
  assert.is(calls.get('linearInputGrad')!.length, 9);
});
