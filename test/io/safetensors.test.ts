/** safetensors: round trip, a file laid out by hand from the format's spec, and bad files. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors } from '../../src/io/safetensors.js';
import { runSync } from '../helpers/spawn.js';

const w = { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) };
const b = { shape: [3], data: Float32Array.of(-1, 0.5, 1e-30) };

test('encode then decode gives the same names, shapes, values and metadata; data starts 8-byte aligned', () => {
  const bytes = encodeSafetensors([['pi.net.0.weight', w], ['pi.net.0.bias', b]], { format: 'pt' });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.is((8 + n) % 8, 0);
  const r = decodeSafetensors(bytes);
  assert.equal([...r.tensors.keys()], ['pi.net.0.weight', 'pi.net.0.bias']);
  assert.equal(r.tensors.get('pi.net.0.weight')!.shape, [2, 3]);
  assert.equal(Array.from(r.tensors.get('pi.net.0.weight')!.data), [1, 2, 3, 4, 5, 6]);
  assert.equal(Array.from(r.tensors.get('pi.net.0.bias')!.data), Array.from(b.data));
  assert.equal(r.metadata, { format: 'pt' });
});

/** A file built byte by byte as the spec describes (not by softac's writer). */
function handMade(header: string, data: number[]): Uint8Array {
  const head = Buffer.from(header, 'utf8');
  const out = new Uint8Array(8 + head.length + 4 * data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  const dv = new DataView(out.buffer, 8 + head.length);
  data.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  return out;
}

test('reads a hand-laid file whose tensors are stored out of name order, with an unpadded header', () => {
  const bytes = handMade('{"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [1.5, -2, 7]);
  const r = decodeSafetensors(bytes);
  assert.equal(Array.from(r.tensors.get('a')!.data), [1.5, -2]);
  assert.equal(Array.from(r.tensors.get('b')!.data), [7]);
});

test('malformed files are refused with the reason and never read out of bounds', () => {
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(5), /shorter than the 8-byte header length/],
    [(() => { const x = new Uint8Array(16); new DataView(x.buffer).setBigUint64(0, 1000n, true); return x; })(), /header length 1000 runs past the end/],
    [(() => { const x = new Uint8Array(16); new DataView(x.buffer).setBigUint64(0, 2n ** 40n, true); return x; })(), /over the 100000000-byte limit/],
    [handMade('{"a":', []), /not valid JSON/],
    [(() => { const x = handMade('{"a":1}', []); x[9] = 0xff; return x; })(), /not valid UTF-8/],
    [handMade('[1,2]', []), /must be a JSON object/],
    [handMade('{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}', [0]), /dtype "F16"; softac reads F32 only/],
    [handMade('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', [0, 0]), /shape \[3\] needs 12 bytes, data_offsets give 8/],
    [handMade('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [0]), /data_offsets \[0, 8\] fall outside the 4 data bytes/],
    [handMade('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [0]), /overlaps the tensor before it/],
    [handMade('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', [0, 0]), /a gap of 4 bytes before tensor 'a'/],
    [handMade('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [0, 0]), /4 bytes after the last tensor belong to none/],
    [handMade('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', [0]), /malformed shape/],
    [handMade('{"__metadata__":{"x":1}}', []), /__metadata__ must map strings to strings/],
    [handMade('\ufeff{}', []), /not valid JSON/],
    [handMade('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', [0, 0]), /tensor 'a' is named twice/],
    [handMade('{"a":{"dtype":"F32","shape":[1],"shape":[1],"data_offsets":[0,4]}}', [0]), /repeats the key 'shape' inside one entry/],
    [handMade('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}', [0]), /data_offsets \[4, 0\] are out of order/],
    [handMade('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4.5]}}', [0, 0]), /malformed data_offsets \[0,4.5\]/],
    [handMade('{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,4]}}', [0]), /malformed shape \[2.5\]/],
    [handMade('{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}', [0]), /needs 73786976294838206464 bytes, data_offsets give 4/],
    [handMade('{"a":{"dtype":"F32","shape":[1e300],"data_offsets":[0,4]}}', [0]), /malformed shape/],
    [handMade('{"a":[1]}', []), /tensor 'a' must be an object with dtype, shape and data_offsets, got \[1\]/],
    [handMade('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [NaN]), /tensor 'a' has a non-finite value NaN at index 0/],
    [handMade(`{"${'x'.repeat(1000)}":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}`, []), /^safetensors bad.safetensors: tensor 'x{77}\.\.\.' has dtype "I8"/],
  ];
  for (const [bytes, re] of cases)
    assert.throws(() => decodeSafetensors(bytes, 'bad.safetensors'), (e: Error) => e instanceof RangeError && re.test(e.message) && e.message.startsWith('safetensors bad.safetensors: '), re.source);
});

test('a tensor named "__proto__" or a metadata key "__proto__" stays a plain name', () => {
  const r = decodeSafetensors(handMade('{"__metadata__":{"__proto__":"x"},"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [3]));
  assert.equal(Object.keys(r.metadata), ['__proto__']);
  assert.is(Object.getPrototypeOf(r.metadata), Object.prototype);
  assert.equal(Array.from(r.tensors.get('__proto__')!.data), [3]);
});

test('non-finite values are refused by default and read with { allowNonFinite: true }', () => {
  const bytes = encodeSafetensors([['w', { shape: [3], data: Float32Array.of(1, Infinity, NaN) }]]);
  assert.throws(() => decodeSafetensors(bytes, 'm'), /safetensors m: tensor 'w' has a non-finite value Infinity at index 1 \(pass \{ allowNonFinite: true \}/);
  assert.equal(Array.from(decodeSafetensors(bytes, 'm', { allowNonFinite: true }).tensors.get('w')!.data), [1, Infinity, NaN]);
});

test('a directory, an empty file, a device, a FIFO and a path through a file are refused by name, without blocking', () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-st-'));
  const empty = join(dir, 'empty.safetensors'), sub = join(dir, 'sub.safetensors');
  writeFileSync(empty, '');
  mkdirSync(sub);
  const cases: [string, RegExp][] = [
    [sub, /sub\.safetensors: cannot read the file \(it is a directory\)/],
    [empty, /empty\.safetensors: file is empty/],
    ['/dev/zero', /\/dev\/zero: cannot read the file \(it is not a regular file\)/],
    [join(empty, 'x'), /cannot read the file \(ENOTDIR/],
  ];
  // A FIFO with no writer would block a plain read forever.
  const fifo = join(dir, 'fifo.safetensors');
  if (runSync('mkfifo', [fifo], { timeoutMs: 10_000 }).status === 0) cases.push([fifo, /fifo\.safetensors: cannot read the file \(it is not a regular file\)/]);
  for (const [path, re] of cases) assert.throws(() => loadSafetensors(path), (e: Error) => re.test(e.message) && e.message.startsWith(`safetensors ${path}: `));
});

test('a header length over the limit, or past the end, is refused after reading 8 bytes, not the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-st-'));
  for (const [n, re] of [[150_000_000n, /over the 100000000-byte limit/], [90_000_000n, /header length 90000000 runs past the end of the file \(80000000 bytes\)/]] as const) {
    const path = join(dir, `big-${n}.safetensors`);
    const head = new Uint8Array(8);
    new DataView(head.buffer).setBigUint64(0, n, true);
    writeFileSync(path, head);
    truncateSync(path, 80_000_000); // sparse: no disk used
    const before = process.memoryUsage().arrayBuffers;
    assert.throws(() => loadSafetensors(path), re);
    assert.ok(process.memoryUsage().arrayBuffers - before < 10_000_000, 'nothing file-sized was allocated');
  }
});

test('save writes atomically (no temporary file left) and load reads it back; a missing file is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-st-'));
  const path = join(dir, 'model.safetensors');
  saveSafetensors(path, [['w', w]]);
  saveSafetensors(path, [['w', w], ['b', b]]);
  assert.equal(readdirSync(dir), ['model.safetensors']);
  assert.equal([...loadSafetensors(path).tensors.keys()], ['w', 'b']);
  assert.ok(readFileSync(path).length > 8);
  assert.throws(() => loadSafetensors(join(dir, 'nope.safetensors')), /safetensors .*nope\.safetensors: cannot read the file/);
});

test.run();
