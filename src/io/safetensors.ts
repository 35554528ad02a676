/**
 * safetensors (huggingface/safetensors, "Format"): an 8-byte little-endian header length N,
 * N bytes of JSON ({ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__":
 * { string: string } }, offsets relative to the data that follows), then the raw
 * little-endian data. softac reads and writes F32 only, the dtype of PyTorch's SAC.
 *
 * The reader trusts nothing in a file: every length, offset, shape and name is checked
 * against the bytes actually there before anything is allocated or copied.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { endianness } from 'node:os';

import * as is from '../check/is.js';
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

export interface DecodeOptions {
  /** Accept NaN and infinite values (refused by default: a model with them is corrupt). */
  allowNonFinite?: boolean;
}

/** A name for an error message, cut short (a hostile header can be 100 MB). */
function short(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** A JSON value for an error message, cut short. */
function brief(v: unknown): string {
  return short(JSON.stringify(v) ?? String(v));
}

/** A file too short to hold the 8-byte header length is refused, saying how short. */
function checkFileSize(fileBytes: number, bad: (why: string) => never): void {
  if (fileBytes === 0) bad('file is empty');
  if (fileBytes < 8) bad(`file is ${fileBytes} bytes, shorter than the 8-byte header length`);
}

/** The header length from the first 8 bytes, checked against the limit and the file size. */
function headerLength(first8: Uint8Array, fileBytes: number, bad: (why: string) => never): number {
  const n64 = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) bad(`header length ${n64} is over the ${MAX_HEADER_BYTES}-byte limit`);
  const n = Number(n64);
  if (8 + n > fileBytes) bad(`header length ${n} runs past the end of the file (${fileBytes} bytes)`);
  return n;
}

/**
 * The first key that appears twice in one object of (already parsed, so valid) JSON text,
 * with its depth (1: a tensor name), or null. JSON.parse would silently keep the last one.
 */
function duplicateKey(text: string): { key: string; depth: number } | null {
  const open: (Set<string> | null)[] = []; // per open object its keys so far, null per array
  let atKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) { // '"'
      let j = i + 1, escaped = false;
      for (; text.charCodeAt(j) !== 0x22; j++) if (text.charCodeAt(j) === 0x5c) { escaped = true; j++; }
      if (atKey) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        const keys = open[open.length - 1]!;
        if (keys.has(key)) return { key, depth: open.length };
        keys.add(key);
        atKey = false;
      }
      i = j;
    } else if (c === 0x7b) { // '{'
      open.push(new Set());
      atKey = true;
    } else if (c === 0x5b) { // '['
      open.push(null);
    } else if (c === 0x7d || c === 0x5d) { // '}' ']'
      open.pop();
    } else if (c === 0x2c) { // ','
      atKey = open[open.length - 1] instanceof Set;
    }
  }
  return null;
}

/** DecodeOptions: known keys and types. */
function checkDecodeOptions(where: string, options: unknown): void {
  is.plainObject(`${where}: options`, options);
  is.knownKeys(where, options, ['allowNonFinite']);
  if (options.allowNonFinite !== undefined) is.boolean(`${where}: option 'allowNonFinite'`, options.allowNonFinite);
}

export function decodeSafetensors(bytes: Uint8Array, source = 'buffer', options: DecodeOptions = {}): Safetensors {
  checkDecodeOptions('decodeSafetensors', options);
  const bad = (why: string): never => {
    throw new RangeError(`safetensors ${source}: ${why}`);
  };
  checkFileSize(bytes.length, bad);
  const n = headerLength(bytes, bytes.length, bad);
  let text: string;
  try {
    // ignoreBOM keeps a byte-order mark in the text, where JSON.parse refuses it (as the
    // reference reader does) instead of the decoder dropping it silently.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return bad('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return bad(`header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return bad(`header must be a JSON object, got ${brief(header)}`);
  const dup = duplicateKey(text);
  if (dup) bad(dup.depth === 1 ? `tensor '${short(dup.key)}' is named twice in the header` : `the header repeats the key '${short(dup.key)}' inside one entry`);
  const dataStart = 8 + n, dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const parsed: { name: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    const tensor = `tensor '${short(name)}'`;
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string'))
        bad(`__metadata__ must map strings to strings, got ${brief(v)}`);
      // fromEntries, not assign: a "__proto__" key stays a key instead of setting the prototype.
      metadata = Object.fromEntries(Object.entries(v as Record<string, string>));
      continue;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(`${tensor} must be an object with dtype, shape and data_offsets, got ${brief(v)}`);
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32') bad(`${tensor} has dtype ${brief(e.dtype)}; softac reads F32 only`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      bad(`${tensor} has a malformed shape ${brief(e.shape)} (expected an array of non-negative integers)`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0))
      bad(`${tensor} has malformed data_offsets ${brief(off)} (expected [begin, end], non-negative integers)`);
    const [begin, end] = off as [number, number];
    if (begin > end) bad(`${tensor} data_offsets [${begin}, ${end}] are out of order (begin after end)`);
    if (end > dataLength) bad(`${tensor} data_offsets [${begin}, ${end}] fall outside the ${dataLength} data bytes`);
    // -0 is a safe integer; normalize it so shapes compare and print as written.
    const shape = (e.shape as number[]).map((d) => d + 0);
    // Every dimension is finite, so the product is too; past 2^53 it is inexact but still
    // far above any byte count a file can hold, so the comparison stays right.
    const count = shape.reduce((x, y) => x * y, 1);
    if (count * 4 !== end - begin) {
      const needs = shape.reduce((x, y) => x * BigInt(y), 4n); // exact, however large
      bad(`${tensor} shape [${short(shape.join(', '))}] needs ${needs} bytes, data_offsets give ${end - begin}`);
    }
    parsed.push({ name, shape, begin, end });
  }
  // The tensors must tile the data exactly: sorted by offset, no gap, no overlap.
  const spans = [...parsed].sort((x, y) => x.begin - y.begin || x.end - y.end);
  let expect = 0;
  for (const { begin, end, name } of spans) {
    if (begin !== expect) bad(begin < expect ? `tensor '${short(name)}' overlaps the tensor before it` : `a gap of ${begin - expect} bytes before tensor '${short(name)}'`);
    expect = end;
  }
  if (expect !== dataLength) bad(`${dataLength - expect} bytes after the last tensor belong to none`);
  const tensors = new Map<string, NamedTensor>();
  for (const { name, shape, begin, end } of parsed) {
    // A copy: the data may sit at any alignment in the file.
    const data = new Float32Array((end - begin) / 4);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + begin, dataStart + end));
    if (!options.allowNonFinite) {
      let i = 0;
      while (i < data.length && Number.isFinite(data[i])) i++;
      if (i < data.length) bad(`tensor '${short(name)}' has a non-finite value ${data[i]} at index ${i} (pass { allowNonFinite: true } to read it anyway)`);
    }
    tensors.set(name, { shape, data });
  }
  return { tensors, metadata };
}

export function saveSafetensors(path: string, tensors: Iterable<[string, NamedTensor]>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/**
 * Reads and decodes a file. Only a regular file is opened (a FIFO or device would block or
 * never end), and the header length is checked against the file size before the rest is read.
 */
export function loadSafetensors(path: string, options: DecodeOptions = {}): Safetensors {
  checkDecodeOptions('loadSafetensors', options);
  const bad = (why: string): never => {
    throw new RangeError(`safetensors ${path}: ${why}`);
  };
  const cannot = (why: string): never => {
    throw new Error(`safetensors ${path}: cannot read the file (${why})`);
  };
  const io = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      return cannot((e as Error).message);
    }
  };
  const st = io(() => statSync(path));
  if (st.isDirectory()) cannot('it is a directory');
  if (!st.isFile()) cannot('it is not a regular file');
  const fd = io(() => openSync(path, 'r'));
  try {
    const size = io(() => fstatSync(fd).size);
    checkFileSize(size, bad);
    const first8 = new Uint8Array(8);
    if (io(() => readSync(fd, first8, 0, 8, 0)) !== 8) cannot('it shrank while being read');
    headerLength(first8, size, bad);
    const bytes = io(() => Buffer.allocUnsafe(size));
    for (let got = 0; got < size;) {
      const r = io(() => readSync(fd, bytes, got, size - got, got));
      if (r === 0) cannot(`it shrank to ${got} bytes while being read`);
      got += r;
    }
    return decodeSafetensors(bytes, path, options);
  } finally {
    closeSync(fd);
  }
}
