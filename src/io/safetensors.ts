/**
 * safetensors (huggingface/safetensors, "Format"): an 8-byte little-endian header length N,
 * N bytes of JSON ({ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__":
 * { string: string } }, offsets relative to the data that follows), then the raw
 * little-endian data. softac reads and writes F32 only, the dtype of PyTorch's SAC.
 *
 * The reader trusts nothing in a file: every length, offset, shape and name is checked
 * against the bytes actually there before anything is allocated or copied.
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

import { writeFileAtomic } from './atomic.js';

export interface NamedTensor {
  shape: readonly number[];
  data: Float32Array;
}

export interface Safetensors {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

/** Larger headers are refused before they are read (the reference reader's own limit). */
export const MAX_HEADER_BYTES = 100_000_000;

if (endianness() !== 'LE') throw new Error('softac: safetensors I/O assumes a little-endian machine');

export function encodeSafetensors(tensors: Iterable<[string, NamedTensor]>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const entries = [...tensors];
  let offset = 0;
  for (const [name, t] of entries) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (name === '__metadata__') throw new RangeError("safetensors: '__metadata__' is reserved and cannot name a tensor");
    if (n !== t.data.length) throw new RangeError(`safetensors: tensor '${name}' has shape [${t.shape.join(', ')}] but ${t.data.length} values`);
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const [, t] of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, source = 'buffer'): Safetensors {
  const bad = (why: string): never => {
    throw new RangeError(`safetensors ${source}: ${why}`);
  };
  if (bytes.length < 8) bad(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) bad(`header length ${n64} is over the ${MAX_HEADER_BYTES}-byte limit`);
  const n = Number(n64);
  if (8 + n > bytes.length) bad(`header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return bad('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return bad(`header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return bad('header must be a JSON object');
  const dataStart = 8 + n, dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  const parsed: [string, number[], number, number][] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string'))
        bad('__metadata__ must map strings to strings');
      Object.assign(metadata, v);
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e === null || typeof e !== 'object') bad(`tensor '${name}' must be an object`);
    if (e.dtype !== 'F32') bad(`tensor '${name}' has dtype ${JSON.stringify(e.dtype)}; softac reads F32 only`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`tensor '${name}' has a malformed shape ${JSON.stringify(e.shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`tensor '${name}' has malformed data_offsets ${JSON.stringify(off)}`);
    const [b, end] = off as [number, number];
    if (b > end || end > dataLength) bad(`tensor '${name}' data_offsets [${b}, ${end}] fall outside the ${dataLength} data bytes`);
    const count = (e.shape as number[]).reduce((x, y) => x * y, 1);
    if (count * 4 !== end - b) bad(`tensor '${name}' shape [${(e.shape as number[]).join(', ')}] needs ${count * 4} bytes, data_offsets give ${end - b}`);
    spans.push([b, end, name]);
    parsed.push([name, e.shape as number[], b, end]);
  }
  // The tensors must tile the data exactly: sorted by offset, no gap, no overlap.
  spans.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let expect = 0;
  for (const [b, end, name] of spans) {
    if (b !== expect) bad(b < expect ? `tensor '${name}' overlaps the tensor before it` : `a gap of ${b - expect} bytes before tensor '${name}'`);
    expect = end;
  }
  if (expect !== dataLength) bad(`${dataLength - expect} bytes after the last tensor belong to none`);
  const tensors = new Map<string, NamedTensor>();
  for (const [name, shape, b, end] of parsed) {
    // A copy: the data may sit at any alignment in the file.
    const data = new Float32Array((end - b) / 4);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + b, dataStart + end));
    tensors.set(name, { shape, data });
  }
  return { tensors, metadata };
}

export function saveSafetensors(path: string, tensors: Iterable<[string, NamedTensor]>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export function loadSafetensors(path: string): Safetensors {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`safetensors ${path}: cannot read the file (${(e as Error).message})`);
  }
  return decodeSafetensors(bytes, path);
}
