/** The seeded PRNG: xoshiro128** bit for bit, determinism, state round trip, distributions. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Rng } from '../../src/nn/index.js';

test('xoshiro128** gives the reference outputs from state [1, 2, 3, 4]', () => {
  // Expected values from the algorithm as published (Blackman and Vigna), compiled in C.
  const r = new Rng();
  r.setState([1, 2, 3, 4]);
  assert.equal([0, 1, 2, 3, 4, 5].map(() => r.nextUint32()), [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
});

test('the same seed gives the same stream, a different seed another', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const sa = Array.from({ length: 8 }, () => a.nextUint32());
  assert.equal(sa, Array.from({ length: 8 }, () => b.nextUint32()));
  assert.not.equal(sa, Array.from({ length: 8 }, () => c.nextUint32()));
});

test('state() and setState() resume the stream exactly', () => {
  const a = new Rng(7);
  for (let i = 0; i < 5; i++) a.normal();
  const b = new Rng(0);
  b.setState(a.state());
  assert.equal(Array.from({ length: 6 }, () => a.normal()), Array.from({ length: 6 }, () => b.normal()));
});

test('fillNormal gives exactly the values of repeated normal() calls and leaves the same state', () => {
  // Seeds whose words have the top bit set (negative as int32) and ones that do not.
  for (const seed of [0, 1, 7, 42, 0xffffffff]) {
    const a = new Rng(seed), b = new Rng(seed);
    for (const n of [0, 1, 3, 600, 1201]) {
      const fast = a.fillNormal(new Float32Array(n));
      const slow = Float32Array.from({ length: n }, () => b.normal());
      assert.equal(Array.from(fast), Array.from(slow), `seed ${seed}, n ${n}`);
      assert.equal(a.state(), b.state(), `state after seed ${seed}, n ${n}`);
      assert.ok(a.state().every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff));
    }
  }
});

test('uniform is in [0, 1) with mean 1/2; normal has mean 0 and variance 1; int is unbiased in range', () => {
  const r = new Rng(1);
  const n = 200_000;
  let su = 0, sn = 0, sn2 = 0, lo = 1, hi = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    lo = Math.min(lo, u); hi = Math.max(hi, u); su += u;
    const z = r.normal();
    sn += z; sn2 += z * z;
  }
  assert.ok(lo >= 0 && hi < 1);
  assert.ok(Math.abs(su / n - 0.5) < 0.005, `uniform mean ${su / n}`);
  assert.ok(Math.abs(sn / n) < 0.01, `normal mean ${sn / n}`);
  assert.ok(Math.abs(sn2 / n - 1) < 0.015, `normal variance ${sn2 / n}`);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 70_000; i++) counts[r.int(7)]++;
  assert.ok(counts.every((c) => Math.abs(c - 10_000) < 500), `int(7) counts ${counts}`);
});

test('bad seeds and states are refused with the value named', () => {
  assert.throws(() => new Rng(-1), /seed must be an integer from 0 to 2\^32 - 1, got -1/);
  assert.throws(() => new Rng(1.5), /got 1.5/);
  assert.throws(() => new Rng(0).setState([0, 0, 0, 0]), /not all zero/);
  assert.throws(() => new Rng(0).setState([1, 2, 3]), /four uint32 words/);
  assert.throws(() => new Rng(0).int(0), /n must be an integer from 1/);
});

test.run();
