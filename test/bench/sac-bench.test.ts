/**
 * `softac bench sac` produces its rows: with the addon and with the WebAssembly module, the
 * 256x256x256 GEMM in each layout the update uses (the machine's GEMM rate beside which the
 * update's is read), then the update rows, act() latencies and env steps. Tiny settings: this checks the rows, not speed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { benchSac } from '../../bench/sac.js';
import { tryLoadNative, tryLoadWasm } from '../../src/kernels/index.js';

test('bench sac emits GEMM, update, act and env rows with positive figures', async () => {
  const rows: Array<Record<string, unknown>> = [];
  let peak = 0;
  await benchSac({
    seconds: 0.05, threads: [1], batches: [8], dims: [[3, 1]], js: false, pytorch: false, actCalls: 20,
    onPeak: (p) => { peak = p; }, onNote: () => {}, onRow: (r) => rows.push(r as unknown as Record<string, unknown>),
  });
  const native = tryLoadNative(), wasm = tryLoadWasm();
  const gemm = rows.filter((r) => r.bench === 'gemm');
  const upd = rows.filter((r) => r.bench === 'sac_update');
  // One GEMM row per layout and one update row for each compiled backend, GEMM rows first.
  for (const [backend, loaded] of [['native', native], ['wasm', wasm]] as const) {
    const g = gemm.filter((r) => r.backend === backend), u = upd.filter((r) => r.backend === backend);
    if (!loaded) {
      assert.is(g.length + u.length, 0, `${backend} rows without the ${backend} backend`);
      continue;
    }
    assert.equal(g.map((r) => r.layout), ['NN', 'NT', 'TN']);
    for (const r of g) {
      assert.ok((r.gflops as number) > 0 && (r.peak_fraction as number) > 0, `GEMM ${backend} ${r.layout}: ${r.gflops} GFLOPS`);
      assert.is(r.m, 256);
    }
    assert.is(u.length, 1);
    assert.ok((u[0]!.updates_per_s as number) > 0);
    assert.ok(rows.indexOf(g[0]!) < rows.indexOf(u[0]!), 'the GEMM rows come first');
    assert.ok(rows.some((r) => r.bench === 'act' && r.backend === backend), `no ${backend} act() row`);
  }
  if (native) assert.ok(peak > 0, 'the FMA peak was not reported');
  assert.ok(rows.some((r) => r.bench === 'act' && (r.latency_us as number) > 0));
  assert.ok(rows.some((r) => r.bench === 'env_steps' && (r.steps_per_s as number) > 0));
});

test.run();
