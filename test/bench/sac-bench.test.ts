/**
 * `softac bench sac` produces its rows: with the addon, the 256x256x256 GEMM in each layout
 * the update uses (the machine's GEMM rate beside which the update's is read), then the
 * update rows, act() latencies and env steps. Tiny settings: this checks the rows, not speed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { benchSac } from '../../bench/sac.js';
import { tryLoadNative } from '../../src/kernels/index.js';

test('bench sac emits GEMM, update, act and env rows with positive figures', async () => {
  const rows: Array<Record<string, unknown>> = [];
  let peak = 0;
  await benchSac({
    seconds: 0.05, threads: [1], batches: [8], dims: [[3, 1]], js: false, pytorch: false, actCalls: 20,
    onPeak: (p) => { peak = p; }, onNote: () => {}, onRow: (r) => rows.push(r as unknown as Record<string, unknown>),
  });
  const native = tryLoadNative();
  const gemm = rows.filter((r) => r.bench === 'gemm');
  if (native) {
    assert.ok(peak > 0, 'the FMA peak was not reported');
    assert.equal(gemm.map((r) => r.layout), ['NN', 'NT', 'TN']);
    for (const r of gemm) {
      assert.ok((r.gflops as number) > 0 && (r.peak_fraction as number) > 0, `GEMM ${r.layout}: ${r.gflops} GFLOPS`);
      assert.is(r.m, 256);
    }
    const upd = rows.filter((r) => r.bench === 'sac_update');
    assert.is(upd.length, 1);
    assert.ok((upd[0]!.updates_per_s as number) > 0);
    assert.ok(rows.indexOf(gemm[0]!) < rows.indexOf(upd[0]!), 'the GEMM rows come first');
  } else {
    assert.is(gemm.length, 0);
  }
  assert.ok(rows.some((r) => r.bench === 'act' && (r.latency_us as number) > 0));
  assert.ok(rows.some((r) => r.bench === 'env_steps' && (r.steps_per_s as number) > 0));
});

test.run();
