/** The replay buffer: the ring overwrites the oldest, sampling is uniform and seeded. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Rng } from '../../src/nn/index.js';
import { ReplayBuffer } from '../../src/sac/buffer.js';

const put = (buf: ReplayBuffer, i: number, d = false) =>
  buf.store([i, -i], [i / 10], i * 100, [i + 0.5, -i - 0.5], d);

test('store fills the ring in order and overwrites the oldest once full', () => {
  const buf = new ReplayBuffer(2, 1, 3);
  put(buf, 1);
  put(buf, 2, true);
  assert.is(buf.size, 2);
  assert.is(buf.ptr, 2);
  put(buf, 3);
  put(buf, 4); // overwrites slot 0 (transition 1)
  assert.is(buf.size, 3);
  assert.is(buf.ptr, 1);
  assert.equal(Array.from(buf.obs), [4, -4, 2, -2, 3, -3]);
  assert.equal(Array.from(buf.obs2), [4.5, -4.5, 2.5, -2.5, 3.5, -3.5]);
  assert.equal(Array.from(buf.rew), [400, 200, 300]);
  assert.equal(Array.from(buf.done), [0, 1, 0]);
  assertF32(buf.act, [0.4, 0.2, 0.3]);
});

function assertF32(a: Float32Array, b: number[]) {
  assert.equal(Array.from(a), b.map(Math.fround));
}

test('samples keep each transition whole, cover the buffer uniformly, and repeat with the seed', () => {
  const buf = new ReplayBuffer(2, 1, 10);
  for (let i = 0; i < 7; i++) put(buf, i, i === 3);
  const counts = new Array(7).fill(0);
  const rng = new Rng(4);
  for (let s = 0; s < 2000; s++) {
    const b = buf.sampleBatch(5, rng);
    for (let k = 0; k < 5; k++) {
      const i = b.obs[2 * k]!;
      counts[i]++;
      assert.is(b.obs[2 * k + 1], -i);
      assert.is(b.obs2[2 * k], i + 0.5);
      assert.is(b.act[k], Math.fround(i / 10));
      assert.is(b.rew[k], i * 100);
      assert.is(b.done[k], i === 3 ? 1 : 0);
    }
  }
  assert.ok(counts.every((c) => Math.abs(c - 10000 / 7) < 150), `counts ${counts}`);
  const a = buf.sampleBatch(4, new Rng(9)).obs.slice(), b = buf.sampleBatch(4, new Rng(9)).obs.slice();
  assert.equal(Array.from(a), Array.from(b));
});

test('bad sizes and sampling an empty buffer are errors that say so', () => {
  assert.throws(() => new ReplayBuffer(0, 1, 10), /obsDim must be a positive integer, got 0/);
  assert.throws(() => new ReplayBuffer(3, 1, 2.5), /maxSize must be a positive integer, got 2.5/);
  const buf = new ReplayBuffer(1, 1, 4);
  assert.throws(() => buf.sampleBatch(2, new Rng(0)), /empty/);
  put(buf, 1);
  assert.throws(() => buf.sampleBatch(0, new Rng(0)), /batchSize must be a positive integer, got 0/);
});

test.run();
