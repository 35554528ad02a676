/**
 * Mutation fuzzing of the loaders (test/io/fuzz.test.ts runs 10,000 cases, `npm run fuzz`
 * as many as asked). Each case takes one of a few small valid files, applies one to three
 * mutations (bit flips, byte overwrites, truncation, extension, header-length edits, edits
 * of the JSON header's offsets, shapes, dtypes and names, splices of two files, non-finite
 * values) and feeds the result to decodeSafetensors and, when it decodes, to
 * Policy.fromStateDict, directly and after state-dict edits (missing, extra, reshaped,
 * non-finite tensors). Every 20th case goes through the files on disk (loadSafetensors,
 * Policy.load).
 *
 * The contract checked: a loader either returns data consistent with itself (every tensor's
 * length its shape's product, in a buffer of its own, no more bytes than the file; a policy
 * no larger than its state dict, whose actions are inside its bounds, or refused by act as
 * non-finite) or throws a RangeError or TypeError whose message starts with 'safetensors '
 * or 'policy '. Anything else (another exception, a message from deep inside, a wrong
 * result) is a failure; a case that takes over five seconds counts as a hang.
 *
 * Case i of seed s is reproducible on its own: its PRNG is seeded from (s, i), so
 * runFuzz(s, 1, undefined, i) replays it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decodeSafetensors, encodeSafetensors, loadSafetensors, type NamedTensor } from '../../src/io/safetensors.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { Rng } from '../../src/nn/rng.js';
import { actorCriticSpecs, actorSpecs } from '../../src/sac/core.js';
import { ACTION_BOUNDS_KEY } from '../../src/sac/model.js';
import { Policy } from '../../src/sac/policy.js';

export interface FuzzFailure {
  seed: number;
  index: number;
  mutations: string[];
  problem: string;
}

export interface FuzzStats {
  cases: number;
  /** Files that decoded, and those refused with a proper error. */
  decoded: number;
  refused: number;
  /** Policies built (and acted), and refused with a proper error. */
  policies: number;
  policyRefused: number;
  slowestMs: number;
  slowestCase: number;
  failures: FuzzFailure[];
}

const HANG_MS = 5000;

/** The base files: an actor alone, a full actor-critic with its bounds, odd names. */
function baseFiles(): Uint8Array[] {
  const rng = new Rng(12345);
  const dict = (specs: { name: string; shape: readonly number[] }[]): [string, NamedTensor][] =>
    specs.map((s) => {
      const n = s.shape.reduce((a, b) => a * b, 1);
      return [s.name, { shape: s.shape, data: Float32Array.from({ length: n }, () => rng.uniformIn(-1, 1)) }];
    });
  const actor = dict(actorSpecs({ obsDim: 2, actDim: 1, hidden: [3] }));
  const full = dict(actorCriticSpecs({ obsDim: 3, actDim: 2, hidden: [4, 4] }));
  const odd: [string, NamedTensor][] = [
    ['empty', { shape: [0], data: new Float32Array(0) }],
    ['scalar', { shape: [], data: Float32Array.of(2.5) }],
    ['qu"ote\\d/é', { shape: [2, 1], data: Float32Array.of(-1, 1) }],
    ['{"nested":[1,2]}', { shape: [1, 1, 1], data: Float32Array.of(3) }],
  ];
  return [
    encodeSafetensors(actor, { format: 'pt' }),
    encodeSafetensors(full, { format: 'pt', [ACTION_BOUNDS_KEY]: JSON.stringify({ low: [-2, -1], high: [2, 1] }) }),
    encodeSafetensors(odd),
  ];
}

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x2d, 0x30, 0x39, 0x65, 0x2e, 0xc3, 0xed, 0xf0];
const INTERESTING_NUMBERS: unknown[] = [0, 1, -1, 2, 3, 4, 7, 8, 0.5, -0, 1e20, -1e20, 2 ** 53, 2 ** 53 + 2, 2 ** 31, 2 ** 32, 2 ** 64,
  Number.MAX_SAFE_INTEGER, 1e308, '4', null, true, [], {}, [1]];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

function headerOf(bytes: Uint8Array): { json: Record<string, unknown>; data: Uint8Array } | null {
  if (bytes.length < 8) return null;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + n > bytes.length) return null;
  try {
    const json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
    return { json, data: bytes.subarray(8 + n) };
  } catch {
    return null;
  }
}

function withHeader(headerText: string, data: Uint8Array): Uint8Array {
  const head = Buffer.from(headerText, 'utf8');
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

type Mutation = (b: Uint8Array, rng: Rng, bases: Uint8Array[]) => [Uint8Array, string];

const byteMutations: Mutation[] = [
  (b, rng) => {
    const out = b.slice(), k = 1 + rng.int(8);
    for (let j = 0; j < k && out.length; j++) out[rng.int(out.length)]! ^= 1 << rng.int(8);
    return [out, `flip ${k} bits`];
  },
  (b, rng) => {
    const out = b.slice(), k = 1 + rng.int(4);
    for (let j = 0; j < k && out.length; j++) out[rng.int(out.length)] = rng.int(2) ? pick(rng, INTERESTING_BYTES) : rng.int(256);
    return [out, `overwrite ${k} bytes`];
  },
  (b, rng) => {
    const at = rng.int(b.length + 1);
    return [b.slice(0, at), `truncate to ${at}`];
  },
  (b, rng) => {
    const k = 1 + rng.int(16), out = new Uint8Array(b.length + k);
    out.set(b);
    if (rng.int(2)) for (let j = b.length; j < out.length; j++) out[j] = rng.int(256);
    return [out, `extend by ${k}`];
  },
  (b, rng) => {
    const out = b.length >= 8 ? b.slice() : Uint8Array.from({ length: 8 }, (_, i) => b[i] ?? 0);
    const dv = new DataView(out.buffer);
    const n = dv.getBigUint64(0, true);
    const v = pick(rng, [0n, 1n, n - 1n, n + 1n, n + 8n, BigInt(out.length), BigInt(out.length - 8), 100_000_000n, 100_000_001n,
      2n ** 32n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n, BigInt(rng.nextUint32())]);
    dv.setBigUint64(0, BigInt.asUintN(64, v), true);
    return [out, `header length ${BigInt.asUintN(64, v)}`];
  },
  (b, rng, bases) => {
    const other = pick(rng, bases);
    const cut = rng.int(b.length + 1), from = rng.int(other.length + 1), len = rng.int(other.length - from + 1);
    const tail = rng.int(2) ? b.subarray(cut) : new Uint8Array(0);
    const out = new Uint8Array(cut + len + tail.length);
    out.set(b.subarray(0, cut));
    out.set(other.subarray(from, from + len), cut);
    out.set(tail, cut + len);
    return [out, `splice ${len} bytes of another file at ${cut}${tail.length ? '' : ', dropping the rest'}`];
  },
  (b, rng) => {
    const h = headerOf(b);
    if (!h || h.data.length < 4) return [b, 'no data for a non-finite value'];
    const out = b.slice(), at = b.length - h.data.length + 4 * rng.int(Math.floor(h.data.length / 4));
    new DataView(out.buffer).setFloat32(at, pick(rng, [NaN, Infinity, -Infinity]), true);
    return [out, 'a non-finite value'];
  },
];

/** Edits of the parsed header, written back with a correct length (the data left as it is). */
const jsonMutations: ((h: Record<string, unknown>, rng: Rng) => string)[] = [
  (h, rng) => {
    const e = entry(h, rng);
    if (!e) return 'no tensor';
    if (!Array.isArray(e.data_offsets) || e.data_offsets.length < 2) e.data_offsets = [0, 0];
    const off = e.data_offsets as unknown[];
    const which = rng.int(4);
    if (which === 0) off[rng.int(2)] = pick(rng, INTERESTING_NUMBERS);
    else if (which === 1) off[rng.int(2)] = (off[0] as number) + (rng.int(2) ? 1 : -1) * (1 + rng.int(8));
    else if (which === 2) off.reverse();
    else e.data_offsets = pick(rng, [[], [0], [0, 4, 8], 'x', null, { 0: 0, 1: 4 }]);
    return 'edit data_offsets';
  },
  (h, rng) => {
    const e = entry(h, rng);
    if (!e || !Array.isArray(e.shape)) return 'no tensor';
    const s = e.shape as unknown[];
    const which = rng.int(5);
    if (which === 0 && s.length) s[rng.int(s.length)] = pick(rng, INTERESTING_NUMBERS);
    else if (which === 1) s.push(pick(rng, [0, 1, 2, 1e9]));
    else if (which === 2) s.pop();
    else if (which === 3) e.shape = pick(rng, [null, 'x', 3, [[2]], [2 ** 26, 2 ** 26, 0], [2 ** 40, 2 ** 40], [-0], [1.5]]);
    else s.reverse();
    return 'edit shape';
  },
  (h, rng) => {
    const e = entry(h, rng);
    if (!e) return 'no tensor';
    e.dtype = pick(rng, ['F16', 'BF16', 'F64', 'I32', 'U8', 'BOOL', 'f32', 'F32 ', '', null, 32, ['F32']]);
    return 'edit dtype';
  },
  (h, rng) => {
    const names = Object.keys(h);
    if (!names.length) return 'no key';
    const n = pick(rng, names);
    const which = rng.int(4);
    if (which === 0) delete h[n];
    else if (which === 1) h[`${n}x`] = h[n];
    else if (which === 2) h[n] = pick(rng, [null, 1, 'x', [], {}, { dtype: 'F32' }]);
    else h.__metadata__ = pick(rng, [null, 1, [], { a: 1 }, { format: 'pt' }, { [ACTION_BOUNDS_KEY]: '{"low":[-1],"high":[1]}' },
      { [ACTION_BOUNDS_KEY]: '{"low":[1, 1],"high":[-1, -1]}' }, { [ACTION_BOUNDS_KEY]: 'nope' },
      { [ACTION_BOUNDS_KEY]: '{"low":[-1e308, -1],"high":[1e308, 1]}' }]);
    return 'edit names';
  },
];

function entry(h: Record<string, unknown>, rng: Rng): Record<string, unknown> | null {
  const names = Object.keys(h).filter((n) => n !== '__metadata__' && h[n] !== null && typeof h[n] === 'object');
  return names.length ? (h[pick(rng, names)] as Record<string, unknown>) : null;
}

/** A textual edit JSON.parse would hide: a key repeated in the header. */
function duplicateKey(b: Uint8Array, rng: Rng): [Uint8Array, string] {
  const h = headerOf(b);
  const names = h ? Object.keys(h.json) : [];
  if (!h || !names.length) return [b, 'no key to repeat'];
  const n = pick(rng, names);
  const text = JSON.stringify(h.json);
  return [withHeader(`${text.slice(0, -1)},${JSON.stringify(n)}:${JSON.stringify(h.json[n])}}`, h.data), `repeat key ${n}`];
}

/** Bit flips in the data only: mostly a valid file with other weights. */
function flipData(b: Uint8Array, rng: Rng): [Uint8Array, string] {
  const h = headerOf(b);
  if (!h || !h.data.length) return [b, 'no data to flip'];
  const out = b.slice();
  out[b.length - h.data.length + rng.int(h.data.length)]! ^= 1 << rng.int(8);
  return [out, 'flip a data bit'];
}

function mutate(b: Uint8Array, rng: Rng, bases: Uint8Array[]): [Uint8Array, string] {
  const kind = rng.int(12);
  if (kind < 6) return pick(rng, byteMutations)(b, rng, bases);
  if (kind < 8) return flipData(b, rng);
  if (kind === 8) return duplicateKey(b, rng);
  const h = headerOf(b);
  if (!h) return pick(rng, byteMutations)(b, rng, bases);
  const what = pick(rng, jsonMutations)(h.json, rng);
  return [withHeader(JSON.stringify(h.json), h.data), what];
}

/** Edits of a decoded state dict (what a file cannot say by bytes alone). */
function mutateDict(t: Map<string, NamedTensor>, rng: Rng): string {
  const names = [...t.keys()];
  const which = rng.int(5);
  if (which === 0 && names.length) {
    const n = pick(rng, names);
    t.delete(n);
    return `drop ${n}`;
  }
  if (which === 1) {
    const n = pick(rng, ['pi.extra', 'targ.pi.net.0.weight', 'q1.q.0.weight', 'q3.q.0.weight', 'pi.net.4.weight', 'log_alpha']);
    t.set(n, { shape: [1], data: Float32Array.of(0) });
    return `add ${n}`;
  }
  if (which === 2 && names.length) {
    const n = pick(rng, names), old = t.get(n)!;
    const shape = pick(rng, [[old.data.length], [1, old.data.length], [old.data.length, 1], [], [0]]);
    const size = shape.reduce((a, b) => a * b, 1);
    t.set(n, { shape, data: new Float32Array(size) });
    return `reshape ${n} to [${shape.join(', ')}]`;
  }
  if (which === 3 && names.length) {
    const n = pick(rng, names), d = t.get(n)!.data;
    if (d.length) d[rng.int(d.length)] = pick(rng, [NaN, Infinity, -Infinity]);
    return `non-finite in ${n}`;
  }
  return 'state dict as decoded';
}

function properError(e: unknown, prefixes: string[]): string | null {
  if (!(e instanceof RangeError || e instanceof TypeError)) return `threw ${e instanceof Error ? e.constructor.name : typeof e}: ${String(e)}`;
  if (!prefixes.some((p) => e.message.startsWith(p))) return `${e.constructor.name} without a ${prefixes.join('/')} prefix: ${e.message}`;
  return null;
}

/** What is wrong with a decoded file, or null. */
function checkDecoded(tensors: Map<string, NamedTensor>, fileBytes: number): string | null {
  let bytes = 0;
  for (const [name, t] of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) return `tensor '${name}' has ${t.data.length} values for shape [${t.shape.join(', ')}]`;
    if (t.data.buffer.byteLength !== t.data.byteLength) return `tensor '${name}' views a larger buffer (${t.data.buffer.byteLength} bytes)`;
    if (!t.data.every(Number.isFinite)) return `tensor '${name}' has a non-finite value`;
    bytes += t.data.byteLength;
  }
  return bytes > fileBytes ? `decoded ${bytes} bytes from a ${fileBytes}-byte file` : null;
}

/** What is wrong with a policy built from `tensors`, or null (it acts once per mode). */
function checkPolicy(p: Policy, tensors: Map<string, NamedTensor>, rng: Rng): string | null {
  let values = 0;
  for (const t of tensors.values()) values += t.data.length;
  if (p.params.size > values) return `the policy holds ${p.params.size} values, the state dict ${values}`;
  const obs = Float32Array.from({ length: p.sizes.obsDim }, () => rng.uniformIn(-3, 3));
  const actions: Float32Array[] = [];
  try {
    actions.push(p.act(obs), p.act(obs, { deterministic: false }), p.actBatch([obs, obs]));
  } catch (e) {
    // Finite weights that overflow float32 on this observation: refused, never NaN.
    const wrong = properError(e, ['act: ', 'actBatch: ']);
    if (wrong || !/non-finite result/.test((e as Error).message)) return wrong ?? `act threw: ${(e as Error).message}`;
  }
  for (const a of actions) {
    if (a.length % p.sizes.actDim !== 0) return `an action of ${a.length} values for act_dim ${p.sizes.actDim}`;
    for (let i = 0; i < a.length; i++) {
      const j = i % p.sizes.actDim;
      if (!(a[i]! >= p.bounds.low[j]! - 1e-6 && a[i]! <= p.bounds.high[j]! + 1e-6)) return `action ${a[i]} outside [${p.bounds.low[j]}, ${p.bounds.high[j]}]`;
    }
  }
  return null;
}

function caseSeed(seed: number, index: number): number {
  return (Math.imul(seed, 0x9e3779b1) + index) >>> 0;
}

/** Cases start .. start + cases - 1 of `seed`; onProgress every 10,000 cases. */
export function runFuzz(seed: number, cases: number, onProgress?: (done: number, stats: FuzzStats) => void, start = 0): FuzzStats {
  const bases = baseFiles();
  const dir = mkdtempSync(join(tmpdir(), 'softac-fuzz-'));
  const file = join(dir, 'case.safetensors');
  const stats: FuzzStats = { cases: 0, decoded: 0, refused: 0, policies: 0, policyRefused: 0, slowestMs: 0, slowestCase: -1, failures: [] };
  try {
    for (let index = start; index < start + cases; index++) {
      const rng = new Rng(caseSeed(seed, index));
      const mutations: string[] = [];
      const fail = (problem: string) => stats.failures.push({ seed, index, mutations, problem });
      const t0 = performance.now();
      let bytes = pick(rng, bases);
      // One case in eight keeps the file as it is, for the state-dict edits below.
      for (let k = rng.int(8) === 0 ? 0 : 1 + rng.int(3); k > 0; k--) {
        const [next, what] = mutate(bytes, rng, bases);
        bytes = next;
        mutations.push(what);
      }
      const onDisk = index % 20 === 0;
      let tensors: Map<string, NamedTensor> | null = null;
      try {
        if (onDisk) writeFileSync(file, bytes);
        tensors = (onDisk ? loadSafetensors(file) : decodeSafetensors(bytes, 'fuzz')).tensors;
        stats.decoded++;
        const wrong = checkDecoded(tensors, bytes.length);
        if (wrong) fail(wrong);
      } catch (e) {
        const wrong = properError(e, ['safetensors ']);
        if (wrong) fail(wrong);
        else stats.refused++;
      }
      if (tensors) {
        const edited = rng.int(2) === 1;
        if (edited) mutations.push(mutateDict(tensors, rng));
        try {
          const p = onDisk && !edited
            ? Policy.load(file, { kernels: referenceKernels, seed: index >>> 0 })
            : Policy.fromStateDict(tensors, { kernels: referenceKernels, seed: index >>> 0 });
          stats.policies++;
          const wrong = checkPolicy(p, tensors, rng);
          if (wrong) fail(wrong);
        } catch (e) {
          const wrong = properError(e, ['policy ', 'safetensors ']);
          if (wrong) fail(wrong);
          else stats.policyRefused++;
        }
      }
      const ms = performance.now() - t0;
      if (ms > stats.slowestMs) {
        stats.slowestMs = ms;
        stats.slowestCase = index;
      }
      if (ms > HANG_MS) fail(`took ${ms.toFixed(0)} ms`);
      stats.cases++;
      if (onProgress && stats.cases % 10000 === 0) onProgress(stats.cases, stats);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return stats;
}

/** A failure in one line: the seed and case that replay it, its mutations, what went wrong. */
export function describeCase(f: FuzzFailure): string {
  return `seed ${f.seed}, case ${f.index} (${f.mutations.join('; ')}): ${f.problem}`;
}
