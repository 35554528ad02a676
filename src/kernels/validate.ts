/**
 * Argument validation shared by both backends: the reference calls these first, and so does
 * `native.ts` before it crosses into the addon. One validator per `Kernels` method, with the
 * method's name and positional arguments, plus the primitives they are made of.
 *
 * Every parameter is `unknown`: these run on whatever a JavaScript caller passed. A wrong
 * type is a TypeError; a wrong size, a bad dimension or value, or a forbidden overlap is a
 * RangeError. Messages name the method and the argument, the expected and the received:
 *   gemm: argument 'c' must have length m*n = 12, got 10
 * Dimensions are checked before the arrays whose lengths they define, so a bad dimension is
 * reported as itself rather than as the length mismatch it causes.
 */

import { describe } from '../check/is.js';

export { describe };

/** The native pool's limit (kMaxThreads in native/src/pool.h): more is a typo, not a machine. */
const MAX_THREADS = 256;

const SIMD_PATHS = ['scalar', 'avx2', 'avx512', 'neon'];

function typeError(fn: string, name: string, expected: string, v: unknown): TypeError {
  return new TypeError(`${fn}: argument '${name}' must be ${expected}, got ${describe(v)}`);
}

/** `must` completes "argument 'x' must ...": 'be an integer >= 1', 'have length m*n = 12'. */
function rangeError(fn: string, name: string, must: string, got: string): RangeError {
  return new RangeError(`${fn}: argument '${name}' must ${must}, got ${got}`);
}

// ---- primitives ---------------------------------------------------------------------------

/**
 * The array type every kernel takes: Float32Array, except inside withFloat64Arrays, where
 * the float64 reference (the oracle of finite-difference gradient checks) runs the same
 * kernels, with the same checks, on Float64Arrays.
 */
let arrayType: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array;

/** Runs body (synchronous: one kernel call) with Float64Array expected instead. */
export function withFloat64Arrays<T>(body: () => T): T {
  const saved = arrayType;
  arrayType = Float64Array;
  try {
    return body();
  } finally {
    arrayType = saved;
  }
}

/**
 * x must be the kernels' array type (a Float32Array, or a Float64Array inside
 * withFloat64Arrays); with `length`, of that length. `lengthExpr` says where the length
 * comes from ('m*n') for the message.
 */
export function kernelArray(fn: string, name: string, x: unknown, length?: number,
  lengthExpr?: string): void {
  if (!(x instanceof arrayType)) throw typeError(fn, name, `a ${arrayType.name}`, x);
  if (length !== undefined && x.length !== length) {
    const expected = lengthExpr === undefined ? `${length}` : `${lengthExpr} = ${length}`;
    throw rangeError(fn, name, `have length ${expected}`, String(x.length));
  }
}

/** Like kernelArray, but null is allowed (an output that is not wanted). */
export function kernelArrayOrNull(fn: string, name: string, x: unknown, length?: number,
  lengthExpr?: string): void {
  if (x === null) return;
  if (!(x instanceof arrayType)) throw typeError(fn, name, `a ${arrayType.name} or null`, x);
  kernelArray(fn, name, x, length, lengthExpr);
}

/**
 * The largest dimension, as the C++ surface also enforces: the product of two dimensions
 * then fits an int64 without wrapping around (2^32 x 2^32 x 2^32 would wrap to 0).
 */
const MAX_DIM = 2 ** 31 - 1;

/** A matrix dimension: a non-negative integer (0 is allowed: the call does nothing). */
export function dim(fn: string, name: string, v: unknown): void {
  const expected = `a non-negative integer <= ${MAX_DIM}`;
  if (typeof v !== 'number') throw typeError(fn, name, expected, v);
  if (!Number.isInteger(v) || v < 0 || v > MAX_DIM) throw rangeError(fn, name, `be ${expected}`, describe(v));
}

/** A number of any value, NaN and infinities included (e.g. a fill value). */
export function number(fn: string, name: string, v: unknown): void {
  if (typeof v !== 'number') throw typeError(fn, name, 'a number', v);
}

/** A finite number, optionally within [min, max] (or [min, max) when maxOpen). */
export function finite(fn: string, name: string, v: unknown, min = -Infinity, max = Infinity,
  maxOpen = false): void {
  if (typeof v !== 'number') throw typeError(fn, name, 'a finite number', v);
  const inRange = Number.isFinite(v) && v >= min && (maxOpen ? v < max : v <= max);
  if (!inRange) {
    const bounds = min === -Infinity && max === Infinity ? 'be a finite number'
      : max === Infinity ? `be a finite number >= ${min}`
        : `be a number in [${min}, ${max}${maxOpen ? ')' : ']'}`;
    throw rangeError(fn, name, bounds, describe(v));
  }
}

export function boolean(fn: string, name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw typeError(fn, name, 'a boolean', v);
}

/**
 * `out` is written while `inp` is read, so they must not share bytes. Two typed arrays
 * overlap when they view the same ArrayBuffer over intersecting byte ranges (empty arrays
 * never overlap). With allowExactAlias the very same range is fine (element-wise kernels
 * that read element i before writing it), a partial overlap never is.
 */
export function noOverlap(fn: string, outName: string, out: Float32Array, inName: string,
  inp: Float32Array, allowExactAlias = false): void {
  if (out.buffer !== inp.buffer || out.byteLength === 0 || inp.byteLength === 0) return;
  const o0 = out.byteOffset, o1 = o0 + out.byteLength;
  const i0 = inp.byteOffset, i1 = i0 + inp.byteLength;
  if (o1 <= i0 || i1 <= o0) return;
  const exact = o0 === i0 && o1 === i1;
  if (exact && allowExactAlias) return;
  const expected = allowExactAlias
    ? `either be exactly argument '${inName}' or not overlap it`
    : `not overlap argument '${inName}'`;
  const got = exact ? `an exact alias of '${inName}'`
    : `bytes [${o0}, ${o1}) overlapping [${i0}, ${i1}) of one buffer`;
  throw rangeError(fn, outName, expected, got);
}

/**
 * Every output against every input and every other output; null outputs are skipped.
 * for-in over the two literals, not Object.entries: this runs before every kernel call, and
 * the entry arrays cost more than the checks (about 2 us per call).
 */
function outputsDisjoint(fn: string, outs: Record<string, Float32Array | null>,
  ins: Record<string, Float32Array | null>): void {
  let i = 0;
  for (const outName in outs) {
    const out = outs[outName]!;
    if (out !== null) {
      for (const inName in ins) {
        const inp = ins[inName]!;
        if (inp !== null) noOverlap(fn, outName, out, inName, inp);
      }
      let j = 0;
      for (const otherName in outs) {
        if (j++ === i) break;
        const other = outs[otherName]!;
        if (other !== null) noOverlap(fn, outName, out, otherName, other);
      }
    }
    i++;
  }
}

/** Element-wise arguments: Float32Arrays all of the first one's length. */
function sameLength(fn: string, arrays: Record<string, unknown>): void {
  let firstName = '', n = -1;
  for (const name in arrays) {
    const x = arrays[name];
    kernelArray(fn, name, x);
    const got = (x as Float32Array).length;
    if (n < 0) {
      firstName = name;
      n = got;
    } else if (got !== n) {
      throw rangeError(fn, name, `have the length of '${firstName}' (${n})`, String(got));
    }
  }
}

/** out = f(x): one output, one input, no overlap. */
function unary(fn: string, out: unknown, x: unknown): void {
  sameLength(fn, { out, x });
  noOverlap(fn, 'out', out as Float32Array, 'x', x as Float32Array);
}

/** dx += f(dy, y): the accumulating output overlaps neither input, even exactly. */
function unaryBackward(fn: string, dx: unknown, dy: unknown, y: unknown, yName = 'y'): void {
  sameLength(fn, { dx, dy, [yName]: y });
  outputsDisjoint(fn, { dx: dx as Float32Array }, { dy: dy as Float32Array, [yName]: y as Float32Array });
}

/** out = f(a, b), out may be exactly a or b. */
function binaryMayAlias(fn: string, out: unknown, a: unknown, b: unknown): void {
  sameLength(fn, { out, a, b });
  noOverlap(fn, 'out', out as Float32Array, 'a', a as Float32Array, true);
  noOverlap(fn, 'out', out as Float32Array, 'b', b as Float32Array, true);
}

function clampBounds(fn: string, lo: unknown, hi: unknown): void {
  number(fn, 'lo', lo);
  number(fn, 'hi', hi);
  if (Number.isNaN(lo)) throw rangeError(fn, 'lo', 'be a number, not NaN', 'NaN');
  if (Number.isNaN(hi)) throw rangeError(fn, 'hi', 'be a number, not NaN', 'NaN');
  if ((lo as number) > (hi as number)) throw rangeError(fn, 'lo', `be <= argument 'hi' = ${hi}`, describe(lo));
}

// ---- one validator per Kernels method -----------------------------------------------------

export function setNumThreads(n: unknown): void {
  const fn = 'setNumThreads';
  const expected = `an integer in [1, ${MAX_THREADS}]`;
  if (typeof n !== 'number') throw typeError(fn, 'n', expected, n);
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) throw rangeError(fn, 'n', `be ${expected}`, describe(n));
}

/** For the addon's exitAfter, the CLI's exit backstop (not a Kernels method, but validated the same way). */
export function exitAfter(ms: unknown, code: unknown): void {
  const fn = 'exitAfter';
  if (typeof ms !== 'number') throw typeError(fn, 'ms', 'a number of milliseconds in [0, 3600000]', ms);
  if (!(ms >= 0 && ms <= 3_600_000)) throw rangeError(fn, 'ms', 'be a number of milliseconds in [0, 3600000]', describe(ms));
  if (typeof code !== 'number') throw typeError(fn, 'code', 'an integer in [0, 255]', code);
  if (!Number.isInteger(code) || code < 0 || code > 255) throw rangeError(fn, 'code', 'be an integer in [0, 255]', describe(code));
}

/** For the native backend's setSimdPath (not a Kernels method, but validated the same way). */
export function setSimdPath(path: unknown): void {
  const fn = 'setSimdPath';
  const expected = `one of ${SIMD_PATHS.map((p) => `'${p}'`).join(', ')}`;
  if (typeof path !== 'string') throw typeError(fn, 'path', expected, path);
  if (!SIMD_PATHS.includes(path)) throw rangeError(fn, 'path', `be ${expected}`, describe(path));
}

export function gemm(transA: unknown, transB: unknown, m: unknown, n: unknown, k: unknown,
  alpha: unknown, a: unknown, b: unknown, beta: unknown, c: unknown): void {
  const fn = 'gemm';
  boolean(fn, 'transA', transA);
  boolean(fn, 'transB', transB);
  if (transA && transB) {
    throw new RangeError(`${fn}: arguments 'transA' and 'transB' must not both be true `
      + '(only NN, NT and TN are supported), got transA = true, transB = true');
  }
  dim(fn, 'm', m);
  dim(fn, 'n', n);
  dim(fn, 'k', k);
  const M = m as number, N = n as number, K = k as number;
  finite(fn, 'alpha', alpha);
  kernelArray(fn, 'a', a, M * K, 'm*k');
  kernelArray(fn, 'b', b, K * N, 'k*n');
  finite(fn, 'beta', beta);
  kernelArray(fn, 'c', c, M * N, 'm*n');
  outputsDisjoint(fn, { c: c as Float32Array }, { a: a as Float32Array, b: b as Float32Array });
}

/** A linear kernel's batch, input and output sizes, each checked as a dimension. */
function linearDims(fn: string, B: unknown, I: unknown, O: unknown): [number, number, number] {
  dim(fn, 'B', B);
  dim(fn, 'I', I);
  dim(fn, 'O', O);
  return [B as number, I as number, O as number];
}

export function linearForward(out: unknown, inp: unknown, weight: unknown, bias: unknown,
  B: unknown, I: unknown, O: unknown, relu: unknown): void {
  const fn = 'linearForward';
  const [nB, nI, nO] = linearDims(fn, B, I, O);
  kernelArray(fn, 'out', out, nB * nO, 'B*O');
  kernelArray(fn, 'inp', inp, nB * nI, 'B*I');
  kernelArray(fn, 'weight', weight, nO * nI, 'O*I');
  kernelArrayOrNull(fn, 'bias', bias, nO, 'O');
  boolean(fn, 'relu', relu);
  outputsDisjoint(fn, { out: out as Float32Array }, {
    inp: inp as Float32Array, weight: weight as Float32Array, bias: bias as Float32Array | null,
  });
}

export function linearBackward(dinp: unknown, dweight: unknown, dbias: unknown, dout: unknown,
  inp: unknown, weight: unknown, B: unknown, I: unknown, O: unknown): void {
  const fn = 'linearBackward';
  const [nB, nI, nO] = linearDims(fn, B, I, O);
  kernelArrayOrNull(fn, 'dinp', dinp, nB * nI, 'B*I');
  kernelArrayOrNull(fn, 'dweight', dweight, nO * nI, 'O*I');
  kernelArrayOrNull(fn, 'dbias', dbias, nO, 'O');
  kernelArray(fn, 'dout', dout, nB * nO, 'B*O');
  kernelArray(fn, 'inp', inp, nB * nI, 'B*I');
  kernelArray(fn, 'weight', weight, nO * nI, 'O*I');
  outputsDisjoint(fn, {
    dinp: dinp as Float32Array | null, dweight: dweight as Float32Array | null,
    dbias: dbias as Float32Array | null,
  }, { dout: dout as Float32Array, inp: inp as Float32Array, weight: weight as Float32Array });
}

export function linearInputGrad(dinp: unknown, dout: unknown, weight: unknown, mask: unknown,
  B: unknown, I: unknown, O: unknown): void {
  const fn = 'linearInputGrad';
  const [nB, nI, nO] = linearDims(fn, B, I, O);
  kernelArray(fn, 'dinp', dinp, nB * nI, 'B*I');
  kernelArray(fn, 'dout', dout, nB * nO, 'B*O');
  kernelArray(fn, 'weight', weight, nO * nI, 'O*I');
  kernelArrayOrNull(fn, 'mask', mask, nB * nI, 'B*I');
  outputsDisjoint(fn, { dinp: dinp as Float32Array }, {
    dout: dout as Float32Array, weight: weight as Float32Array, mask: mask as Float32Array | null,
  });
}

export function tanh(out: unknown, x: unknown): void { unary('tanh', out, x); }
export function tanhBackward(dx: unknown, dy: unknown, y: unknown): void {
  unaryBackward('tanhBackward', dx, dy, y);
}
export function exp(out: unknown, x: unknown): void { unary('exp', out, x); }
export function log(out: unknown, x: unknown): void { unary('log', out, x); }
export function softplus(out: unknown, x: unknown): void { unary('softplus', out, x); }
export function relu(out: unknown, x: unknown): void { unary('relu', out, x); }
export function reluBackward(dx: unknown, dy: unknown, y: unknown): void {
  unaryBackward('reluBackward', dx, dy, y);
}
export function reluGrad(out: unknown, dy: unknown, y: unknown): void {
  unaryBackward('reluGrad', out, dy, y);
}

export function clamp(out: unknown, x: unknown, lo: unknown, hi: unknown): void {
  unary('clamp', out, x);
  clampBounds('clamp', lo, hi);
}

export function clampBackward(dx: unknown, dy: unknown, x: unknown, lo: unknown, hi: unknown): void {
  unaryBackward('clampBackward', dx, dy, x, 'x');
  clampBounds('clampBackward', lo, hi);
}

export function minimum(out: unknown, a: unknown, b: unknown): void {
  const fn = 'minimum';
  sameLength(fn, { out, a, b });
  outputsDisjoint(fn, { out: out as Float32Array }, { a: a as Float32Array, b: b as Float32Array });
}

export function minimumBackward(da: unknown, db: unknown, dy: unknown, a: unknown, b: unknown): void {
  const fn = 'minimumBackward';
  sameLength(fn, { da, db, dy, a, b });
  outputsDisjoint(fn, { da: da as Float32Array, db: db as Float32Array },
    { dy: dy as Float32Array, a: a as Float32Array, b: b as Float32Array });
}

export function add(out: unknown, a: unknown, b: unknown): void { binaryMayAlias('add', out, a, b); }
export function mul(out: unknown, a: unknown, b: unknown): void { binaryMayAlias('mul', out, a, b); }

export function axpy(y: unknown, alpha: unknown, x: unknown): void {
  const fn = 'axpy';
  finite(fn, 'alpha', alpha);
  sameLength(fn, { y, x });
  noOverlap(fn, 'y', y as Float32Array, 'x', x as Float32Array);
}

export function scale(out: unknown, x: unknown, alpha: unknown): void {
  const fn = 'scale';
  sameLength(fn, { out, x });
  noOverlap(fn, 'out', out as Float32Array, 'x', x as Float32Array, true);
  finite(fn, 'alpha', alpha);
}

export function sum(x: unknown): void { kernelArray('sum', 'x', x); }
export function mean(x: unknown): void { kernelArray('mean', 'x', x); }

export function sumRows(out: unknown, x: unknown, rows: unknown, cols: unknown): void {
  const fn = 'sumRows';
  dim(fn, 'rows', rows);
  dim(fn, 'cols', cols);
  kernelArray(fn, 'out', out, rows as number, 'rows');
  kernelArray(fn, 'x', x, (rows as number) * (cols as number), 'rows*cols');
  noOverlap(fn, 'out', out as Float32Array, 'x', x as Float32Array);
}

export function sumColsAcc(out: unknown, x: unknown, rows: unknown, cols: unknown): void {
  const fn = 'sumColsAcc';
  dim(fn, 'rows', rows);
  dim(fn, 'cols', cols);
  kernelArray(fn, 'out', out, cols as number, 'cols');
  kernelArray(fn, 'x', x, (rows as number) * (cols as number), 'rows*cols');
  noOverlap(fn, 'out', out as Float32Array, 'x', x as Float32Array);
}

export function squashForward(a: unknown, logp: unknown, mu: unknown, logStd: unknown,
  eps: unknown, scale: unknown, shift: unknown, rows: unknown, A: unknown): void {
  const fn = 'squashForward';
  dim(fn, 'rows', rows);
  dim(fn, 'A', A);
  const R = rows as number, nA = A as number;
  kernelArray(fn, 'a', a, R * nA, 'rows*A');
  kernelArrayOrNull(fn, 'logp', logp, R, 'rows');
  kernelArray(fn, 'mu', mu, R * nA, 'rows*A');
  kernelArray(fn, 'logStd', logStd, R * nA, 'rows*A');
  kernelArray(fn, 'eps', eps, R * nA, 'rows*A');
  kernelArray(fn, 'scale', scale, nA, 'A');
  kernelArray(fn, 'shift', shift, nA, 'A');
  outputsDisjoint(fn, { a: a as Float32Array, logp: logp as Float32Array | null }, {
    mu: mu as Float32Array, logStd: logStd as Float32Array, eps: eps as Float32Array,
    scale: scale as Float32Array, shift: shift as Float32Array,
  });
}

export function squashBackward(dmu: unknown, dlogStd: unknown, da: unknown, dlogp: unknown,
  mu: unknown, logStd: unknown, eps: unknown, scale: unknown, rows: unknown, A: unknown): void {
  const fn = 'squashBackward';
  dim(fn, 'rows', rows);
  dim(fn, 'A', A);
  const R = rows as number, nA = A as number;
  kernelArray(fn, 'dmu', dmu, R * nA, 'rows*A');
  kernelArray(fn, 'dlogStd', dlogStd, R * nA, 'rows*A');
  kernelArrayOrNull(fn, 'da', da, R * nA, 'rows*A');
  kernelArrayOrNull(fn, 'dlogp', dlogp, R, 'rows');
  kernelArray(fn, 'mu', mu, R * nA, 'rows*A');
  kernelArray(fn, 'logStd', logStd, R * nA, 'rows*A');
  kernelArray(fn, 'eps', eps, R * nA, 'rows*A');
  kernelArray(fn, 'scale', scale, nA, 'A');
  outputsDisjoint(fn, { dmu: dmu as Float32Array, dlogStd: dlogStd as Float32Array }, {
    da: da as Float32Array | null, dlogp: dlogp as Float32Array | null, mu: mu as Float32Array,
    logStd: logStd as Float32Array, eps: eps as Float32Array, scale: scale as Float32Array,
  });
}

/** The ranges are torch.optim.Adam's own checks (lr, eps, weight_decay >= 0; betas in [0, 1)). */
export function adam(p: unknown, g: unknown, m: unknown, v: unknown, t: unknown, lr: unknown,
  beta1: unknown, beta2: unknown, eps: unknown, weightDecay: unknown): void {
  const fn = 'adam';
  sameLength(fn, { p, g, m, v });
  if (typeof t !== 'number') throw typeError(fn, 't', 'an integer >= 1', t);
  if (!Number.isSafeInteger(t) || t < 1) throw rangeError(fn, 't', 'be an integer >= 1', describe(t));
  finite(fn, 'lr', lr, 0);
  finite(fn, 'beta1', beta1, 0, 1, true);
  finite(fn, 'beta2', beta2, 0, 1, true);
  finite(fn, 'eps', eps, 0);
  finite(fn, 'weightDecay', weightDecay, 0);
  // p, m and v are all written; g is read: no two of them may share memory.
  outputsDisjoint(fn, { p: p as Float32Array, m: m as Float32Array, v: v as Float32Array },
    { g: g as Float32Array });
}

export function polyak(targ: unknown, p: unknown, polyak: unknown): void {
  const fn = 'polyak';
  sameLength(fn, { targ, p });
  noOverlap(fn, 'targ', targ as Float32Array, 'p', p as Float32Array);
  finite(fn, 'polyak', polyak, 0, 1);
}

export function fill(x: unknown, value: unknown): void {
  kernelArray('fill', 'x', x);
  number('fill', 'value', value);
}
