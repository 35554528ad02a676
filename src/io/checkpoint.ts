/**
 * Checkpoints: one safetensors file holding every tensor of a run (parameters, targets,
 * optimizer moments, the replay buffer) and, in its `__metadata__`, the rest of the state
 * as JSON under the key `softac.checkpoint` (PRNG words, counters, the open episode).
 *
 * JSON keeps every finite double exactly (JavaScript prints the shortest text that reads
 * back to the same double), but not -0, NaN or the infinities; those are written as tagged
 * strings and read back, so a resumed run sees the very same numbers.
 */
import { writeFileAtomic } from './atomic.js';
import { decodeSafetensors, encodeSafetensors, loadSafetensors, type NamedTensor, type Safetensors } from './safetensors.js';

export const CHECKPOINT_KEY = 'softac.checkpoint';
export const CHECKPOINT_FORMAT = 'softac-checkpoint';
export const CHECKPOINT_VERSION = 1;

const SPECIAL: Record<string, number> = { '@NaN': NaN, '@Infinity': Infinity, '@-Infinity': -Infinity, '@-0': -0 };

function replacer(_key: string, v: unknown): unknown {
  if (typeof v !== 'number') return v;
  if (Number.isNaN(v)) return '@NaN';
  if (v === Infinity) return '@Infinity';
  if (v === -Infinity) return '@-Infinity';
  if (Object.is(v, -0)) return '@-0';
  return v;
}

function reviver(_key: string, v: unknown): unknown {
  return typeof v === 'string' && Object.hasOwn(SPECIAL, v) ? SPECIAL[v] : v;
}

/** JSON that keeps NaN, the infinities and -0 (see the file comment). */
export function stringifyExact(value: unknown): string {
  return JSON.stringify(value, replacer);
}

export function parseExact(text: string): unknown {
  return JSON.parse(text, reviver);
}

export interface Checkpoint {
  tensors: Map<string, NamedTensor>;
  /** The JSON part, as written (format and version already checked). */
  state: Record<string, unknown>;
}

export function encodeCheckpoint(tensors: Iterable<[string, NamedTensor]>, state: Record<string, unknown>): Uint8Array {
  const meta = stringifyExact({ format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, ...state });
  return encodeSafetensors(tensors, { [CHECKPOINT_KEY]: meta });
}

/** Writes atomically: a crash leaves the previous checkpoint or this one, never half. */
export function saveCheckpoint(path: string, tensors: Iterable<[string, NamedTensor]>, state: Record<string, unknown>): void {
  writeFileAtomic(path, encodeCheckpoint(tensors, state));
}

export function decodeCheckpoint(bytes: Uint8Array, source: string): Checkpoint {
  return checkpointOf(decodeSafetensors(bytes, source), source);
}

/** Reads a checkpoint with loadSafetensors' guards (a regular file only, the header checked first). */
export function loadCheckpoint(path: string): Checkpoint {
  return checkpointOf(loadSafetensors(path), path);
}

function checkpointOf({ tensors, metadata }: Safetensors, source: string): Checkpoint {
  const text = metadata[CHECKPOINT_KEY];
  if (text === undefined) throw new RangeError(`checkpoint ${source}: no '${CHECKPOINT_KEY}' entry in the metadata; this is a safetensors file but not a softac checkpoint (a model.safetensors holds only parameters)`);
  let state: unknown;
  try {
    state = parseExact(text);
  } catch (e) {
    throw new RangeError(`checkpoint ${source}: the '${CHECKPOINT_KEY}' metadata is not valid JSON (${(e as Error).message})`);
  }
  if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new RangeError(`checkpoint ${source}: the '${CHECKPOINT_KEY}' metadata must be a JSON object`);
  const s = state as Record<string, unknown>;
  if (s.format !== CHECKPOINT_FORMAT) throw new RangeError(`checkpoint ${source}: format is ${JSON.stringify(s.format)}, expected '${CHECKPOINT_FORMAT}'`);
  if (s.version !== CHECKPOINT_VERSION) throw new RangeError(`checkpoint ${source}: version ${JSON.stringify(s.version)} is not supported (this softac reads version ${CHECKPOINT_VERSION})`);
  return { tensors, state: s };
}
