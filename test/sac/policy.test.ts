/**
 * Policy, the inference object: a state dict laid out as PyTorch's safetensors writes it,
 * acting by Spinning Up's formulas (deterministic and sampled, seeded), actBatch against
 * repeated act, bounds, and every bad input and bad state dict refused by name.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { encodeSafetensors, type NamedTensor } from '../../src/io/safetensors.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { Rng } from '../../src/nn/rng.js';
import { actorCriticSpecs } from '../../src/sac/core.js';
import { ACTION_BOUNDS_KEY } from '../../src/sac/model.js';
import { Policy } from '../../src/sac/policy.js';
import { SAC } from '../../src/sac/sac.js';
import { assertClose } from '../helpers/assert.js';
import { kernelBackends } from '../helpers/backends.js';

const dir = mkdtempSync(join(tmpdir(), 'softac-policy-'));
const sizes = { obsDim: 3, actDim: 2, hidden: [5, 4] };

/** MLPActorCritic's state dict and its target copy (targ.*), random weights. */
function stateDict(seed: number): Map<string, NamedTensor> {
  const rng = new Rng(seed);
  const out = new Map<string, NamedTensor>();
  for (const prefix of ['', 'targ.']) {
    for (const s of actorCriticSpecs(sizes, prefix)) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      out.set(s.name, { shape: s.shape, data: Float32Array.from({ length: n }, () => rng.uniformIn(-0.8, 0.8)) });
    }
  }
  return out;
}
const dict = stateDict(3);

/**
 * The file as safetensors.torch.save_file lays it out (not softac's writer): keys sorted by
 * name, data in that order, __metadata__ first, the header padded with spaces to 8 bytes.
 */
function torchFile(tensors: Map<string, NamedTensor>): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let at = 0;
  for (const n of names) {
    const t = tensors.get(n)!;
    header[n] = { dtype: 'F32', shape: t.shape, data_offsets: [at, at + 4 * t.data.length] };
    at += 4 * t.data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + json.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(Buffer.from(json), 8);
  let p = 8 + json.length;
  for (const n of names) {
    const d = tensors.get(n)!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), p);
    p += d.byteLength;
  }
  return out;
}
const torchPath = join(dir, 'torch.safetensors');
writeFileSync(torchPath, torchFile(dict));

/** Spinning Up's actor in float64: mu and log_std (clamped to [-20, 2]) of one observation. */
function heads(obs: number[]): { mu: number[]; logStd: number[] } {
  const lin = (x: number[], name: string, relu: boolean) => {
    const w = dict.get(`${name}.weight`)!, b = dict.get(`${name}.bias`)!.data;
    const [o, i] = w.shape as [number, number];
    return Array.from({ length: o }, (_, r) => {
      let s = b[r]!;
      for (let c = 0; c < i; c++) s += w.data[r * i + c]! * x[c]!;
      return relu ? Math.max(s, 0) : s;
    });
  };
  const h = lin(lin(obs, 'pi.net.0', true), 'pi.net.2', true);
  return { mu: lin(h, 'pi.mu_layer', false), logStd: lin(h, 'pi.log_std_layer', false).map((v) => Math.min(Math.max(v, -20), 2)) };
}

const observations = [[0.1, -0.2, 0.3], [1, 0, -5], [-2, 2, 0.5], [0, 0, 0]];

test('loads a file PyTorch laid out (q1, q2 and targ.* ignored) and acts as act_limit * tanh(mu)', () => {
  const p = Policy.load(torchPath, { bounds: { low: [-2, -2], high: [2, 2] }, kernels: referenceKernels });
  assert.equal(p.sizes, sizes);
  assert.is(p.params.size, 3 * 5 + 5 + 5 * 4 + 4 + 2 * (4 * 2 + 2), 'the actor only');
  for (const o of observations) assertClose(p.act(o), heads(o).mu.map((m) => 2 * Math.tanh(m)), { rtol: 1e-5, atol: 1e-6 });
});

test('a sample is act_limit * tanh(mu + std * eps) with eps from the seeded stream, reproducible', () => {
  const p = Policy.load(torchPath, { bounds: { low: [-2, -2], high: [2, 2] }, kernels: referenceKernels, seed: 42 });
  const eps = new Rng(42);
  const samples: number[][] = [];
  for (const o of observations) {
    const { mu, logStd } = heads(o);
    const a = p.act(o, { deterministic: false });
    assertClose(a, mu.map((m, j) => 2 * Math.tanh(m + Math.exp(logStd[j]!) * eps.normal())), { rtol: 1e-5, atol: 1e-5 });
    samples.push(Array.from(a));
  }
  const again = Policy.load(torchPath, { bounds: { low: [-2, -2], high: [2, 2] }, kernels: referenceKernels, seed: 42 });
  assert.equal(observations.map((o) => Array.from(again.act(o, false))), samples, 'the same seed, the same samples');
  again.reseed(42);
  assert.equal(Array.from(again.act(observations[0]!, false)), samples[0], 'reseed restarts the stream');
  const other = Policy.load(torchPath, { bounds: { low: [-2, -2], high: [2, 2] }, kernels: referenceKernels, seed: 43 });
  assert.not.equal(Array.from(other.act(observations[0]!, false)), samples[0]);
  assert.equal(Array.from(p.act(observations[0]!, { deterministic: true })), Array.from(p.act(observations[0]!)), 'deterministic by default');
});

for (const be of kernelBackends()) {
  test(`actBatch gives what repeated act gives, for rows and for a flat array (${be.label})`, () => {
    be.setup();
    const make = () => Policy.fromStateDict(dict, { bounds: { low: [-1, 0], high: [3, 1] }, kernels: be.kernels, seed: 7 });
    // One row per call or all rows in one gemm: the same sums, though a SIMD path may
    // block them differently.
    const tol = be.label === 'js' ? {} : { rtol: 1e-6, atol: 1e-6 };
    for (const deterministic of [true, false]) {
      const one = make(), batch = make();
      const each = observations.flatMap((o) => Array.from(one.act(o, { deterministic })));
      const rows = batch.actBatch(observations, { deterministic });
      assert.is(rows.length, observations.length * sizes.actDim);
      assertClose(rows, each, { ...tol, label: `rows, deterministic ${deterministic}` });
      batch.reseed(7);
      assert.equal(Array.from(batch.actBatch(Float32Array.from(observations.flat()), { deterministic })), Array.from(rows), 'flat');
    }
    const batch = make();
    assert.is(batch.actBatch([]).length, 0);
    assert.is(batch.actBatch(new Float32Array(0)).length, 0);
  });
}

test('bounds come from the options, else the file metadata, else [-1, 1]; samples stay inside', () => {
  const withMeta = join(dir, 'meta.safetensors');
  writeFileSync(withMeta, encodeSafetensors(dict, { format: 'pt', [ACTION_BOUNDS_KEY]: JSON.stringify({ low: [-1, 0], high: [3, 1] }) }));
  const p = Policy.load(withMeta, { kernels: referenceKernels });
  assert.equal(p.bounds, { low: [-1, 0], high: [3, 1] });
  const o = observations[1]!, { mu } = heads(o);
  assertClose(p.act(o), [1 + 2 * Math.tanh(mu[0]!), 0.5 + 0.5 * Math.tanh(mu[1]!)], { rtol: 1e-5, atol: 1e-6 });
  assert.equal(Policy.load(withMeta, { bounds: { low: [-2, -2], high: [2, 2] } }).bounds, { low: [-2, -2], high: [2, 2] });
  const plain = Policy.load(torchPath, { kernels: referenceKernels, seed: 1 });
  assert.equal(plain.bounds, { low: [-1, -1], high: [1, 1] });
  const a = plain.actBatch(Array(200).fill(o), false);
  assert.ok(a.every((v) => v >= -1 && v <= 1));
  assert.ok(new Set(a).size > 100, 'samples differ');
  const bad = (meta: string) => {
    const f = join(dir, 'bad-meta.safetensors');
    writeFileSync(f, encodeSafetensors(dict, { [ACTION_BOUNDS_KEY]: meta }));
    return () => Policy.load(f);
  };
  assert.throws(bad('{"low":[-1],"high":[1]}'), /policy .*bad-meta\.safetensors: the 'softac\.action_bounds' metadata must be \{"low": \[\.\.\.\], "high": \[\.\.\.\]\} with 2 numbers each/);
  assert.throws(bad('{"low":[1,1],"high":[-1,-1]}'), /policy .*bad-meta\.safetensors: actor: action bound 0 must be finite with low < high, got \[1, -1\]/);
  assert.throws(bad('{"low":[-1e300,-1],"high":[1e300,1]}'), /overflow float32/);
  assert.throws(bad('low'), /metadata is not JSON/);
  assert.throws(() => Policy.load(torchPath, { bounds: { low: [-1], high: [1] } }), /policy .*torch\.safetensors: the model acts in 2 dimensions, the environment's action space has 1/);
});

test("SAC.saveModel records the action bounds, so Policy.load acts in the env's box without being told", () => {
  const sac = new SAC(referenceKernels, 3, { low: [-2, 0], high: [2, 5] }, { hidden: [4, 4] }, 1);
  const path = join(dir, 'saved-with-bounds.safetensors');
  sac.saveModel(path);
  const policy = Policy.load(path, { kernels: referenceKernels });
  assert.equal(policy.bounds, { low: [-2, 0], high: [2, 5] });
  assert.equal(Array.from(policy.act([0.1, 0.2, 0.3])), Array.from(sac.act([0.1, 0.2, 0.3], true)));
});

test('bad observations are refused by name: length, type, NaN and infinity, rows', () => {
  const p = Policy.fromStateDict(dict, { kernels: referenceKernels });
  const cases: [() => unknown, ErrorConstructor, RegExp][] = [
    [() => p.act([1, 2]), RangeError, /^act: the observation must have 3 values, got 2$/],
    [() => p.act([1, NaN, 3]), RangeError, /^act: observation value 1 must be finite, got NaN$/],
    [() => p.act(Float64Array.of(1, 2, -Infinity)), RangeError, /^act: observation value 2 must be finite, got -Infinity$/],
    [() => p.act([1, '2', 3] as unknown as number[]), TypeError, /^act: observation value 1 must be a number, got string$/],
    [() => p.act('abc' as unknown as number[]), TypeError, /^act: the observation must be an array or a typed array, got string$/],
    [() => p.act(null as unknown as number[]), TypeError, /got null$/],
    [() => p.act([[1, 2, 3]] as unknown as number[]), TypeError, /^act: observation value 0 must be a number, got an array$/],
    [() => p.act([1, 2, 3], 'yes' as unknown as boolean), TypeError, /^act: the mode must be a boolean or \{ deterministic \}, got yes$/],
    [() => p.actBatch(new Float32Array(7)), RangeError, /^actBatch: a flat batch must hold B \* 3 values \(obs_dim 3, row-major\), got 7$/],
    [() => p.actBatch([[1, 2, 3], [1, 2]]), RangeError, /^actBatch: row 1 must have 3 values \(obs_dim\), got 2$/],
    [() => p.actBatch([[1, 2, 3], [1, 2, NaN]]), RangeError, /^actBatch: row 1, value 2 must be finite, got NaN$/],
    [() => p.actBatch([[1, 2, 3], 5] as unknown as number[][]), TypeError, /^actBatch: row 1 must be an array or a typed array of 3 numbers, got number$/],
    [() => p.actBatch({ length: 3 } as unknown as number[]), TypeError, /must be an array or a typed array, got object/],
  ];
  for (const [f, type, re] of cases) assert.throws(f, (e: Error) => e instanceof type && re.test(e.message), re.source);
});

test('state dicts: missing and unexpected names listed, wrong shapes, non-finite weights unless allowed', () => {
  const edited = (edit: (m: Map<string, NamedTensor>) => void) => {
    const m = new Map(dict);
    edit(m);
    return m;
  };
  const cases: [Map<string, NamedTensor>, RegExp][] = [
    [edited((m) => m.delete('pi.net.0.weight')), /^policy state dict: state dict has no 'pi\.net\.0\.weight' \(a Spinning Up MLPActorCritic state dict is expected\)$/],
    [edited((m) => { m.delete('pi.mu_layer.bias'); m.delete('pi.net.2.bias'); }), /^policy state dict: state dict is missing 'pi\.net\.2\.bias', 'pi\.mu_layer\.bias'$/],
    [edited((m) => { m.set('log_alpha', { shape: [1], data: Float32Array.of(0) }); m.set('pi.extra', { shape: [1], data: Float32Array.of(0) }); }),
      /^policy state dict: state dict has 2 unexpected tensors 'log_alpha', 'pi\.extra'$/],
    [edited((m) => m.set('pi.mu_layer.bias', { shape: [1, 2], data: new Float32Array(2) })), /'pi\.mu_layer\.bias' has shape \[1, 2\], expected \[2\]/],
    [edited((m) => m.set('pi.net.0.weight', { shape: [5, 0], data: new Float32Array(0) })), /the actor's sizes must be positive, got obs_dim 0/],
    [edited((m) => m.set('pi.net.2.bias', { shape: [4], data: Float32Array.of(0, 0, NaN, 0) })),
      /^policy state dict: 'pi\.net\.2\.bias' has a non-finite value NaN at index 2 \(pass \{ allowNonFinite: true \} to load it anyway\)$/],
  ];
  for (const [m, re] of cases) assert.throws(() => Policy.fromStateDict(m), (e: Error) => e instanceof RangeError && re.test(e.message), re.source);
  // A NaN in an ignored tensor is no concern of the policy's.
  Policy.fromStateDict(edited((m) => m.set('q1.q.0.bias', { shape: [5], data: new Float32Array(5).fill(NaN) })));
  // Allowed non-finite weights, or finite ones whose sums overflow float32: never a NaN action.
  const nan = Policy.fromStateDict(edited((m) => m.set('pi.mu_layer.bias', { shape: [2], data: Float32Array.of(NaN, 0) })),
    { allowNonFinite: true, kernels: referenceKernels });
  assert.throws(() => nan.act([0, 0, 0]), /^act: action 0 is NaN: the weights give a non-finite result on this observation$/);
  const huge = Policy.fromStateDict(edited((m) => {
    m.set('pi.net.0.weight', { shape: [5, 3], data: new Float32Array(15) });
    m.set('pi.net.0.bias', { shape: [5], data: new Float32Array(5).fill(1) });
    m.set('pi.net.2.weight', { shape: [4, 5], data: new Float32Array(20).fill(3e38) }); // h2 = 5 * 3e38 = Inf
    m.set('pi.mu_layer.weight', { shape: [2, 4], data: Float32Array.of(1, -1, 1, -1, 1, 1, 1, 1) }); // Inf - Inf
  }), { kernels: referenceKernels });
  assert.throws(() => huge.actBatch([[0, 0, 0], [1, 1, 1]]), /^actBatch: action 0 of row 0 is NaN: the weights give a non-finite result/);
  assert.throws(() => Policy.fromStateDict(dict, { seed: -1 }), /Policy.fromStateDict: option 'seed' must be an integer from 0 to 4294967295, got -1/);
});

test('files: unreadable, corrupt and non-finite ones are named; allowNonFinite reads them', () => {
  assert.throws(() => Policy.load(join(dir, 'none.safetensors')), /^safetensors .*none\.safetensors: cannot read the file/);
  assert.throws(() => Policy.load(dir), /cannot read the file \(it is a directory\)/);
  const nanFile = join(dir, 'nan.safetensors');
  const m = new Map(dict);
  m.set('pi.net.0.bias', { shape: [5], data: Float32Array.of(0, Infinity, 0, 0, 0) });
  writeFileSync(nanFile, encodeSafetensors(m));
  assert.throws(() => Policy.load(nanFile), /^safetensors .*nan\.safetensors: tensor 'pi\.net\.0\.bias' has a non-finite value Infinity at index 1/);
  assert.is(Policy.load(nanFile, { allowNonFinite: true }).sizes.obsDim, 3);
});

test('loadStateDict refreshes the weights in place (a newer snapshot), with the same checks', () => {
  const p = Policy.fromStateDict(dict, { kernels: referenceKernels });
  const newer = stateDict(4);
  const want = Array.from(Policy.fromStateDict(newer, { kernels: referenceKernels }).act(observations[0]!));
  p.loadStateDict(newer);
  assert.equal(Array.from(p.act(observations[0]!)), want);
  const other = new Map(newer);
  other.set('pi.net.0.weight', { shape: [5, 4], data: new Float32Array(20) });
  assert.throws(() => p.loadStateDict(other), /^policy: state dict 'pi\.net\.0\.weight' has shape \[5, 4\], expected \[5, 3\]$/);
  assert.equal(Array.from(p.act(observations[0]!)), want, 'a refused refresh changes nothing');
});

test.run();
