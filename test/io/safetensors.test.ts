/** safetensors: round trip, a file laid out by hand from the format's spec, and bad files. */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors } from '../../src/io/safetensors.js';

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
  ];
  for (const [bytes, re] of cases) assert.throws(() => decodeSafetensors(bytes, 'bad.safetensors'), (e: Error) => e instanceof RangeError && re.test(e.message) && e.message.startsWith('safetensors bad.safetensors: '));
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
