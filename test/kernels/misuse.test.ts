/**
 * Every Kernels method called wrongly in every way, on every backend, and the raw addon
 * entry points (no TypeScript validation in front) called the same ways: each call must
 * throw a TypeError or RangeError naming the argument, write nothing, and never crash.
 *
 * The cases are generated from a table of each method's parameters: wrong types, bad
 * dimensions, lengths that disagree with the dimensions, dimensions whose products wrap
 * around 2^64 (a classic out-of-bounds write in C++), forbidden overlaps (partial, and exact
 * where the kernel does not allow it), missing arguments.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { exitAfter, rawAddon, referenceKernels, tryLoadNative } from '../../src/kernels/index.js';
import { kernelBackends } from '../helpers/backends.js';

const misuse = suite('misuse');

type Dims = Record<string, number>;
type ErrorClass = typeof TypeError | typeof RangeError;
/** A bad value, the error it must raise, and whether only the TypeScript layer checks it. */
type Bad = [value: unknown, error: ErrorClass, tsOnly: boolean];

type Param =
  | { name: string; kind: 'bool' | 'dim' }
  | { name: string; kind: 'scalar'; valid: number; bad: Bad[] }
  | { name: string; kind: 'array'; len: (d: Dims) => number; out?: boolean; nullable?: boolean; mayAlias?: string[];
      /** Any length will do (sum, mean, fill): there is nothing to disagree with. */
      free?: boolean };

interface Method {
  name: string;
  dims: Dims;
  params: Param[];
  /** Dimension values whose products wrap around 2^64 to the (empty) array lengths. */
  wrap?: { dims: Dims; arrays: Record<string, Float32Array | null> };
}

// Value-range checks of coefficients (NaN alpha, beta1 >= 1, lo > hi) are a TypeScript-layer
// contract; the C++ surface must catch everything about types, sizes and memory.
const FINITE: Bad[] = [['1', TypeError, false], [null, TypeError, false], [NaN, RangeError, true], [Infinity, RangeError, true]];
const NON_NEGATIVE: Bad[] = [...FINITE, [-0.5, RangeError, true]];
const UNIT: Bad[] = [...NON_NEGATIVE, [1, RangeError, true]];

const num = (name: string, valid: number, bad: Bad[]): Param => ({ name, kind: 'scalar', valid, bad });
const dim = (name: string): Param => ({ name, kind: 'dim' });
const bool = (name: string): Param => ({ name, kind: 'bool' });
type ArrayOptions = { out?: boolean; nullable?: boolean; mayAlias?: string[]; free?: boolean };
const arr = (name: string, len: (d: Dims) => number, opts: ArrayOptions = {}): Param => ({ name, kind: 'array', len, ...opts });
/** Element-wise: every array has length n (n = 5, not a parameter). */
const el = (name: string, opts: ArrayOptions = {}): Param => arr(name, (d) => d.n!, opts);
const EL = { n: 5 };
const BIG = 2 ** 32; // BIG * BIG = 2^64, which a 64-bit product wraps to 0

const METHODS: Method[] = [
  {
    name: 'gemm', dims: { m: 2, n: 3, k: 4 },
    params: [bool('transA'), bool('transB'), dim('m'), dim('n'), dim('k'), num('alpha', 1, FINITE),
      arr('a', (d) => d.m! * d.k!), arr('b', (d) => d.k! * d.n!), num('beta', 0.5, FINITE),
      arr('c', (d) => d.m! * d.n!, { out: true })],
    wrap: { dims: { m: BIG, n: BIG, k: BIG }, arrays: { a: new Float32Array(0), b: new Float32Array(0), c: new Float32Array(0) } },
  },
  {
    name: 'linearForward', dims: { B: 2, I: 3, O: 4 },
    params: [arr('out', (d) => d.B! * d.O!, { out: true }), arr('inp', (d) => d.B! * d.I!), arr('weight', (d) => d.O! * d.I!),
      arr('bias', (d) => d.O!, { nullable: true }), dim('B'), dim('I'), dim('O'), bool('relu')],
    wrap: {
      dims: { B: BIG, I: BIG, O: BIG },
      arrays: { out: new Float32Array(0), inp: new Float32Array(0), weight: new Float32Array(0), bias: null },
    },
  },
  {
    name: 'linearBackward', dims: { B: 2, I: 3, O: 4 },
    params: [arr('dinp', (d) => d.B! * d.I!, { out: true, nullable: true }),
      arr('dweight', (d) => d.O! * d.I!, { out: true, nullable: true }), arr('dbias', (d) => d.O!, { out: true, nullable: true }),
      arr('dout', (d) => d.B! * d.O!), arr('inp', (d) => d.B! * d.I!), arr('weight', (d) => d.O! * d.I!),
      dim('B'), dim('I'), dim('O')],
    wrap: {
      dims: { B: BIG, I: BIG, O: BIG },
      arrays: { dinp: new Float32Array(0), dweight: null, dbias: null, dout: new Float32Array(0), inp: new Float32Array(0), weight: new Float32Array(0) },
    },
  },
  {
    name: 'linearInputGrad', dims: { B: 2, I: 3, O: 4 },
    params: [arr('dinp', (d) => d.B! * d.I!, { out: true }), arr('dout', (d) => d.B! * d.O!), arr('weight', (d) => d.O! * d.I!),
      arr('mask', (d) => d.B! * d.I!, { nullable: true }), dim('B'), dim('I'), dim('O')],
    wrap: {
      dims: { B: BIG, I: BIG, O: BIG },
      arrays: { dinp: new Float32Array(0), dout: new Float32Array(0), weight: new Float32Array(0), mask: null },
    },
  },
  ...['tanh', 'exp', 'log', 'softplus', 'relu'].map((name) => ({
    name, dims: EL, params: [el('out', { out: true }), el('x')],
  })),
  ...['tanhBackward', 'reluBackward', 'reluGrad'].map((name) => ({
    name, dims: EL, params: [el('dx', { out: true }), el('dy'), el('y')],
  })),
  {
    name: 'clamp', dims: EL,
    params: [el('out', { out: true }), el('x'), num('lo', -1, [['0', TypeError, false], [NaN, RangeError, true], [3, RangeError, true]]),
      num('hi', 1, [['1', TypeError, false], [NaN, RangeError, true], [-3, RangeError, true]])],
  },
  {
    name: 'clampBackward', dims: EL,
    params: [el('dx', { out: true }), el('dy'), el('x'), num('lo', -1, [['0', TypeError, false], [NaN, RangeError, true], [3, RangeError, true]]),
      num('hi', 1, [[null, TypeError, false], [NaN, RangeError, true], [-3, RangeError, true]])],
  },
  { name: 'minimum', dims: EL, params: [el('out', { out: true }), el('a'), el('b')] },
  { name: 'minimumBackward', dims: EL, params: [el('da', { out: true }), el('db', { out: true }), el('dy'), el('a'), el('b')] },
  { name: 'add', dims: EL, params: [el('out', { out: true, mayAlias: ['a', 'b'] }), el('a'), el('b')] },
  { name: 'mul', dims: EL, params: [el('out', { out: true, mayAlias: ['a', 'b'] }), el('a'), el('b')] },
  { name: 'axpy', dims: EL, params: [el('y', { out: true }), num('alpha', 2, FINITE), el('x')] },
  { name: 'scale', dims: EL, params: [el('out', { out: true, mayAlias: ['x'] }), el('x'), num('alpha', 2, FINITE)] },
  { name: 'sum', dims: EL, params: [el('x', { free: true })] },
  { name: 'mean', dims: EL, params: [el('x', { free: true })] },
  {
    name: 'sumRows', dims: { rows: 2, cols: 3 },
    params: [arr('out', (d) => d.rows!, { out: true }), arr('x', (d) => d.rows! * d.cols!), dim('rows'), dim('cols')],
  },
  {
    name: 'sumColsAcc', dims: { rows: 2, cols: 3 },
    params: [arr('out', (d) => d.cols!, { out: true }), arr('x', (d) => d.rows! * d.cols!), dim('rows'), dim('cols')],
  },
  {
    name: 'squashForward', dims: { rows: 2, A: 3 },
    params: [arr('a', (d) => d.rows! * d.A!, { out: true }), arr('logp', (d) => d.rows!, { out: true, nullable: true }),
      arr('mu', (d) => d.rows! * d.A!), arr('logStd', (d) => d.rows! * d.A!), arr('eps', (d) => d.rows! * d.A!),
      arr('scale', (d) => d.A!), arr('shift', (d) => d.A!), dim('rows'), dim('A')],
  },
  {
    name: 'squashBackward', dims: { rows: 2, A: 3 },
    params: [arr('dmu', (d) => d.rows! * d.A!, { out: true }), arr('dlogStd', (d) => d.rows! * d.A!, { out: true }),
      arr('da', (d) => d.rows! * d.A!, { nullable: true }), arr('dlogp', (d) => d.rows!, { nullable: true }),
      arr('mu', (d) => d.rows! * d.A!), arr('logStd', (d) => d.rows! * d.A!), arr('eps', (d) => d.rows! * d.A!),
      arr('scale', (d) => d.A!), dim('rows'), dim('A')],
  },
  {
    name: 'adam', dims: EL,
    params: [el('p', { out: true }), el('g'), el('m', { out: true }), el('v', { out: true }),
      num('t', 1, [[0, RangeError, false], [-1, RangeError, false], [1.5, RangeError, false], [NaN, RangeError, false],
        ['1', TypeError, false]]),
      num('lr', 1e-3, NON_NEGATIVE), num('beta1', 0.9, UNIT), num('beta2', 0.999, UNIT), num('eps', 1e-8, NON_NEGATIVE),
      num('weightDecay', 0, NON_NEGATIVE)],
  },
  { name: 'polyak', dims: EL, params: [el('targ', { out: true }), el('p'), num('polyak', 0.995, [...UNIT.slice(0, -1), [1.5, RangeError, true]])] },
  { name: 'fill', dims: EL, params: [el('x', { out: true, free: true }), num('value', 0, [['0', TypeError, false], [null, TypeError, false]])] },
];

type Fn = (...args: unknown[]) => unknown;
interface Case { label: string; args: unknown[]; error: ErrorClass; names: string[]; tsOnly: boolean }

/** Valid arguments: arrays of the right lengths filled with 0.5, scalars at their valid value. */
function validArgs(m: Method): unknown[] {
  return m.params.map((p) => {
    switch (p.kind) {
      case 'bool': return false;
      case 'dim': return m.dims[p.name];
      case 'scalar': return p.valid;
      case 'array': return new Float32Array(p.len(m.dims)).fill(0.5);
    }
  });
}

function cases(m: Method): Case[] {
  const list: Case[] = [];
  const idx = (name: string): number => m.params.findIndex((p) => p.name === name);
  const withArg = (i: number, value: unknown): unknown[] => {
    const args = validArgs(m);
    args[i] = value;
    return args;
  };
  m.params.forEach((p, i) => {
    const add = (label: string, value: unknown, error: ErrorClass, tsOnly = false): void => {
      list.push({ label: `${p.name} = ${label}`, args: withArg(i, value), error, names: [p.name], tsOnly });
    };
    switch (p.kind) {
      case 'bool':
        add('1', 1, TypeError);
        add("'true'", 'true', TypeError);
        add('null', null, TypeError);
        break;
      case 'dim':
        add("'2'", '2', TypeError);
        add('null', null, TypeError);
        add('NaN', NaN, RangeError);
        add('-1', -1, RangeError);
        add('1.5', 1.5, RangeError);
        add('Infinity', Infinity, RangeError);
        break;
      case 'scalar':
        for (const [value, error, tsOnly] of p.bad) add(String(typeof value === 'string' ? `'${value}'` : value), value, error, tsOnly);
        break;
      case 'array': {
        const len = p.len(m.dims);
        add('an Array', new Array(len).fill(0.5), TypeError);
        add('a Float64Array', new Float64Array(len), TypeError);
        add('a string', 'abc', TypeError);
        add('undefined', undefined, TypeError);
        if (!p.nullable) add('null', null, TypeError);
        if (!p.free) {
          add(`length ${len + 1}`, new Float32Array(len + 1), RangeError);
          add(`length ${len - 1}`, new Float32Array(len - 1), RangeError);
        }
        if (p.out) overlapCases(m, p, i, list, idx);
        break;
      }
    }
  });
  // A call with its last argument missing: naming it, or saying how many arguments were expected.
  const last = m.params[m.params.length - 1]!;
  list.push({ label: 'last argument missing', args: validArgs(m).slice(0, -1), error: TypeError, names: [last.name, 'arguments'], tsOnly: false });
  if (m.name === 'gemm') {
    const args = validArgs(m);
    args[0] = args[1] = true;
    list.push({ label: 'transA and transB', args, error: RangeError, names: ['transA', 'transB'], tsOnly: false });
  }
  if (m.wrap) {
    const args = validArgs(m);
    for (const [name, value] of Object.entries({ ...m.wrap.dims, ...m.wrap.arrays })) args[idx(name)] = value;
    list.push({
      label: 'dimensions whose products wrap around 2^64', args, error: RangeError,
      names: [...Object.keys(m.wrap.dims), ...Object.keys(m.wrap.arrays)], tsOnly: false,
    });
  }
  return list;
}

/**
 * An output against every other array argument: a partial overlap (one shared element)
 * always throws; the very same array throws unless the kernel allows that alias.
 */
function overlapCases(m: Method, out: Extract<Param, { kind: 'array' }>, i: number, list: Case[],
  idx: (name: string) => number): void {
  for (const other of m.params) {
    if (other.kind !== 'array' || other === out) continue;
    const lo = other.len(m.dims), lout = out.len(m.dims);
    const buf = new Float32Array(lo + lout);
    const args = validArgs(m);
    args[idx(other.name)] = buf.subarray(0, lo);
    args[i] = buf.subarray(lo - 1, lo - 1 + lout);
    list.push({ label: `${out.name} partly overlaps ${other.name}`, args, error: RangeError, names: [out.name, other.name], tsOnly: false });
    if (lo === lout && !out.mayAlias?.includes(other.name)) {
      const same = validArgs(m);
      same[i] = same[idx(other.name)];
      list.push({ label: `${out.name} is ${other.name}`, args: same, error: RangeError, names: [out.name, other.name], tsOnly: false });
    }
  }
}

/**
 * Calls fn(...args) expecting `c.error` with a message naming one of c.names (quoted and
 * prefixed by the method name when strict, i.e. from the TypeScript layer), and checks that
 * no Float32Array argument was written.
 */
function expectThrows(fn: Fn, method: string, c: Case, strict: boolean): void {
  const arrays = c.args.filter((a): a is Float32Array => a instanceof Float32Array);
  const before = arrays.map((a) => a.slice());
  let thrown: unknown = null;
  try {
    fn(...c.args);
  } catch (e) {
    thrown = e;
  }
  const what = `${method} with ${c.label}`;
  assert.ok(thrown !== null, `${what}: did not throw`);
  assert.ok(thrown instanceof c.error, `${what}: threw ${String(thrown)}, expected a ${c.error.name}`);
  const msg = (thrown as Error).message;
  const named = c.names.some((n) => (strict ? msg.includes(`'${n}'`) : new RegExp(`\\b${n}\\b`).test(msg)));
  assert.ok(named, `${what}: message "${msg}" names none of ${c.names.join(', ')}`);
  if (strict) assert.ok(msg.startsWith(`${method}: `), `${what}: message "${msg}" does not start with the method`);
  arrays.forEach((a, j) => assert.equal(Array.from(a), Array.from(before[j]!), `${what}: an argument was written`));
}

/** The allowed aliases work, and overlapping read-only inputs are fine. */
function allowedCalls(m: Method): unknown[][] {
  const calls: unknown[][] = [validArgs(m)];
  const params = m.params;
  params.forEach((p, i) => {
    if (p.kind !== 'array') return;
    for (const other of p.mayAlias ?? []) {
      const args = validArgs(m);
      args[i] = args[params.findIndex((q) => q.name === other)];
      calls.push(args);
    }
  });
  return calls;
}

const seen = new Set<unknown>();
const kernelTargets = kernelBackends().filter((be) => !seen.has(be.kernels) && seen.add(be.kernels));

for (const be of kernelTargets) {
  const label = be.kernels === referenceKernels ? 'js' : 'native';
  const k = be.kernels as unknown as Record<string, Fn>;
  for (const m of METHODS) {
    misuse(`${label}: ${m.name} called wrongly`, () => {
      be.setup();
      for (const args of allowedCalls(m)) k[m.name]!(...args);
      for (const c of cases(m)) expectThrows(k[m.name]!, m.name, c, true);
    });
  }

  misuse(`${label}: setNumThreads called wrongly`, () => {
    for (const [value, error] of [[0, RangeError], [-1, RangeError], [1.5, RangeError], [NaN, RangeError], [1e6, RangeError],
      ['2', TypeError], [null, TypeError]] as Array<[unknown, ErrorClass]>) {
      expectThrows(k.setNumThreads!, 'setNumThreads', { label: String(value), args: [value], error, names: ['n'], tsOnly: false }, true);
    }
    be.setup();
    assert.is(be.kernels.info().threads, be.threads);
  });
}

// SOFTAC_BACKEND=js tests the TypeScript layer alone (see helpers/backends.ts).
const jsOnly = process.env.SOFTAC_BACKEND === 'js';
const native = jsOnly ? null : tryLoadNative();
if (native) {
  misuse('native: setSimdPath called wrongly', () => {
    const set = native.setSimdPath as unknown as Fn;
    for (const [value, error] of [['bogus', RangeError], [42, TypeError], [null, TypeError]] as Array<[unknown, ErrorClass]>) {
      expectThrows(set, 'setSimdPath', { label: String(value), args: [value], error, names: ['path'], tsOnly: false }, false);
    }
    for (const path of ['scalar', 'avx2', 'avx512', 'neon'] as const) {
      if (native.info().paths.includes(path)) continue;
      expectThrows(set, 'setSimdPath', { label: path, args: [path], error: RangeError, names: [path], tsOnly: false }, false);
    }
  });
}

if (!jsOnly) {
  misuse('the raw addon is there exactly when the native backend is (always with SOFTAC_BACKEND=native)', () => {
    if (process.env.SOFTAC_BACKEND === 'native') assert.ok(rawAddon() !== null, 'SOFTAC_BACKEND=native but rawAddon() is null');
    assert.is(rawAddon() !== null, native !== null, 'rawAddon() and tryLoadNative() disagree');
  });
}

const raw = jsOnly ? null : rawAddon() as unknown as Record<string, Fn> | null;
if (raw) {
  // No TypeScript validation here: the C++ surface alone must refuse, naming the argument.
  for (const m of METHODS) {
    misuse(`raw addon: ${m.name} called wrongly`, () => {
      for (const args of allowedCalls(m)) raw[m.name]!(...args);
      for (const c of cases(m)) if (!c.tsOnly) expectThrows(raw[m.name]!, m.name, c, false);
    });
  }

  misuse('raw addon: setNumThreads and setSimdPath called wrongly', () => {
    for (const [value, error] of [[0, RangeError], [-1, RangeError], [1.5, RangeError], [NaN, RangeError],
      ['2', TypeError], [undefined, TypeError]] as Array<[unknown, ErrorClass]>) {
      expectThrows(raw.setNumThreads!, 'setNumThreads', { label: String(value), args: [value], error, names: ['n', 'threads'], tsOnly: false }, false);
    }
    for (const [value, error] of [['bogus', RangeError], [42, TypeError], [undefined, TypeError]] as Array<[unknown, ErrorClass]>) {
      expectThrows(raw.setSimdPath!, 'setSimdPath', { label: String(value), args: [value], error, names: ['path', String(value)], tsOnly: false }, false);
    }
    raw.setNumThreads!(1);
  });

  // A valid call would end this process: only refusals are tried here (test/cli/exit.test.ts
  // arms it in a child).
  misuse('raw addon and its TypeScript wrapper: exitAfter called wrongly arms nothing', () => {
    for (const [args, error, name] of [[[-1, 0], RangeError, 'ms'], [[NaN, 0], RangeError, 'ms'], [[4e6, 0], RangeError, 'ms'], [['5', 0], TypeError, 'ms'],
      [[10, 1.5], RangeError, 'code'], [[10, 256], RangeError, 'code'], [[10, -1], RangeError, 'code'], [[10, null], TypeError, 'code']] as Array<[unknown[], ErrorClass, string]>) {
      const c = { label: args.map(String).join(', '), args, error, names: [name], tsOnly: false };
      expectThrows(raw.exitAfter!, 'exitAfter', c, false);
      expectThrows(exitAfter as unknown as Fn, 'exitAfter', c, true);
    }
  });
}

misuse.run();
