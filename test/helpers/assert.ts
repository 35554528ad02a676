/**
 * Shared test helpers: closeness and ULP assertions that print the worst element, a seeded
 * PRNG for test data, and guarded output views that catch writes past the end of a range.
 */
import * as assert from 'uvu/assert';

/** float32 unit roundoff: half the distance from 1 to the next float32. */
export const U32 = 2 ** -24;

export interface CloseOptions {
  /** Absolute tolerance, one for all elements or one per element. */
  atol?: number | ArrayLike<number>;
  rtol?: number;
  label?: string;
}

/**
 * Element i passes when |actual - expected| <= atol_i + rtol * |expected|, or both are the
 * same infinity, or both are NaN. On failure reports how many failed and the worst one
 * (largest error relative to its allowance) with both values.
 */
export function assertClose(actual: ArrayLike<number> | number, expected: ArrayLike<number> | number,
  { atol = 0, rtol = 0, label = 'value' }: CloseOptions = {}): void {
  const act = typeof actual === 'number' ? [actual] : actual;
  const exp = typeof expected === 'number' ? [expected] : expected;
  if (act.length !== exp.length) {
    assert.unreachable(`${label}: length ${act.length}, expected length ${exp.length}`);
  }
  let failures = 0, worst = -1, worstRatio = 0, worstAllowed = 0;
  for (let i = 0; i < exp.length; i++) {
    const a = act[i]!, e = exp[i]!;
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const allowed = (typeof atol === 'number' ? atol : atol[i]!) + rtol * Math.abs(e);
    const err = Math.abs(a - e);
    if (err <= allowed) continue; // NaN err (one side NaN or inf) fails here
    failures++;
    const ratio = Number.isNaN(err) || allowed === 0 ? Infinity : err / allowed;
    if (worst < 0 || ratio > worstRatio) {
      worst = i;
      worstRatio = ratio;
      worstAllowed = allowed;
    }
  }
  if (failures > 0) {
    assert.unreachable(`${label}: ${failures} of ${exp.length} elements out of tolerance; worst at `
      + `[${worst}]: actual ${act[worst]}, expected ${exp[worst]}, |diff| `
      + `${Math.abs(act[worst]! - exp[worst]!)} > allowed ${worstAllowed}`);
  }
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** A float32 value's bits as an integer that increases with the value (-0 and +0 both 0). */
function orderedBits(x: number): number {
  f32[0] = x;
  const bits = i32[0]!;
  return bits < 0 ? -(bits & 0x7fffffff) : bits;
}

/**
 * Distance in float32 ULPs between a and b, each rounded to float32 first: the number of
 * float32 values from one to the other. 0 for two NaNs, Infinity for one NaN.
 */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(orderedBits(a) - orderedBits(b));
}

/** The largest ULP distance between actual[i] and expected[i] (rounded to float32). */
export function maxUlp(actual: ArrayLike<number>, expected: ArrayLike<number>): { ulp: number; index: number } {
  let ulp = 0, index = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = ulpDistance(actual[i]!, expected[i]!);
    if (d > ulp) { ulp = d; index = i; }
  }
  return { ulp, index };
}

/** Fails when some element is more than `limit` float32 ULPs away, naming the worst one. */
export function assertUlp(actual: ArrayLike<number>, expected: ArrayLike<number>, limit: number,
  label: string, inputs?: ArrayLike<number>): void {
  const { ulp, index } = maxUlp(actual, expected);
  if (ulp > limit) {
    const at = inputs ? ` (input ${inputs[index]})` : '';
    assert.unreachable(`${label}: ${ulp} ULP > ${limit} at [${index}]${at}: actual `
      + `${actual[index]}, expected ${Math.fround(expected[index]!)}`);
  }
}

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): tiny, seedable, good enough for test
 * data. Each test seeds its own so a failure reproduces alone.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal by Box-Muller (1 - next() keeps the log argument in (0, 1]). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }

  /** n values uniform in [lo, hi), rounded to float32. */
  array(n: number, lo = -1, hi = 1): Float32Array {
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = this.uniform(lo, hi);
    return x;
  }

  normalArray(n: number, std = 1): Float32Array {
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = std * this.normal();
    return x;
  }
}

const GUARD = 3;
const SENTINEL = -12345.5;

/**
 * A length-n view at an odd float offset inside a larger buffer (so SIMD paths see an
 * unaligned pointer), with sentinel values on both sides; checkGuards fails if a kernel
 * wrote outside the view.
 */
export function guarded(n: number, init?: ArrayLike<number>): { x: Float32Array; checkGuards(label: string): void } {
  const whole = new Float32Array(n + 2 * GUARD).fill(SENTINEL);
  const x = whole.subarray(GUARD, GUARD + n);
  if (init) x.set(init);
  return {
    x,
    checkGuards(label) {
      for (let i = 0; i < GUARD; i++) {
        if (whole[i] !== SENTINEL || whole[GUARD + n + i] !== SENTINEL) {
          assert.unreachable(`${label}: wrote outside its ${n} elements`);
        }
      }
    },
  };
}

/** An unaligned copy of x (offset by one float in its buffer), for inputs. */
export function unaligned(x: ArrayLike<number>): Float32Array {
  const whole = new Float32Array(x.length + 1);
  whole.set(x, 1);
  return whole.subarray(1);
}

/** Exact equality, bit for bit (NaN payloads aside), reporting the first difference. */
export function assertSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  assert.is(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      assert.unreachable(`${label}: differs at [${i}]: ${actual[i]} vs ${expected[i]}`);
    }
  }
}
