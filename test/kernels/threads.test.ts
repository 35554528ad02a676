/**
 * 1 thread and 2 threads must give the same bits: the native driver splits work on fixed
 * boundaries and never splits a sum in a thread-count-dependent way. The shapes are big
 * enough for the driver to actually split (rows, columns, elements).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import type { Kernels } from '../../src/kernels/index.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { assertSameBits } from '../helpers/assert.js';
import { kernelBackends } from '../helpers/backends.js';
import { runAll } from '../helpers/every-kernel.js';

const threads = suite('threads');

/** Pairs of (1 thread, 2 threads) setups per path; the reference just records the count. */
function pairs(): Array<{ label: string; kernels: Kernels; one(): void; two(): void }> {
  const list = [{
    label: 'js', kernels: referenceKernels as Kernels,
    one: () => referenceKernels.setNumThreads(1), two: () => referenceKernels.setNumThreads(2),
  }];
  const backends = kernelBackends();
  for (const be of backends) {
    if (be.kernels === referenceKernels || be.threads !== 1) continue;
    // The WebAssembly module runs on one thread and records the count, as the reference.
    if (be.kernels.backend === 'wasm') {
      list.push({ label: be.label, kernels: be.kernels, one: be.setup, two: () => be.kernels.setNumThreads(2) });
      continue;
    }
    const path = be.label.replace(/\/t1$/, '');
    const twin = backends.find((o) => o.label === `${path}/t2`);
    if (!twin) throw new Error(`no 2-thread backend for ${be.label}`);
    list.push({ label: path, kernels: be.kernels, one: be.setup, two: twin.setup });
  }
  return list;
}

for (const pair of pairs()) {
  threads(`${pair.label}: every kernel gives the same bits on 1 and 2 threads`, () => {
    pair.one();
    assert.is(pair.kernels.info().threads, 1);
    const single = runAll(pair.kernels);
    pair.two();
    assert.is(pair.kernels.info().threads, 2);
    const double = runAll(pair.kernels);
    for (const [name, r1] of single) {
      const r2 = double.get(name)!;
      if (typeof r1 === 'number') assert.ok(Object.is(r1, r2), `${name}: ${r1} on 1 thread, ${r2} on 2`);
      else assertSameBits(r2 as Float32Array, r1, name);
    }
    pair.one();
  });
}

threads.run();
