/**
 * One vocabulary of argument checks for every layer (in the manner of sharp's is.js): each
 * check names the argument, says what was expected and what came, in one format:
 *
 *   trainInWorker: option 'seed' must be an integer from 0 to 4294967295, got 1.5
 *   trainInWorker: unknown option 'stepsPerEpoch' (did you mean options.stepsPerEpoch?)
 *
 * A value of the wrong JavaScript type is a TypeError; the right type with a bad value is a
 * RangeError. `subject` is the whole "who: which argument" prefix, so callers keep their
 * own wording ("SAC option 'gamma'", "policy: seed").
 */

/** A short description of a received value for an error message. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `Array(length ${v.length})`;
  if (ArrayBuffer.isView(v)) {
    const length = (v as unknown as { length?: number }).length ?? v.byteLength;
    return `${v.constructor.name}(length ${length})`;
  }
  switch (typeof v) {
    case 'string': return `string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '...' : v)}`;
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint': return `bigint ${v}n`;
    case 'object': return `${v.constructor?.name ?? 'object'} object`;
    default: return String(typeof v === 'function' ? 'function' : v);
  }
}

/** `${subject} must be ${expected}, got ${describe(actual)}`, as a TypeError or RangeError. */
export function invalidParameterError(subject: string, expected: string, actual: unknown, kind: 'type' | 'range' = 'range'): TypeError | RangeError {
  const message = `${subject} must be ${expected}, got ${describe(actual)}`;
  return kind === 'type' ? new TypeError(message) : new RangeError(message);
}

/** A plain object (not null, not an array). */
export function plainObject<T>(subject: string, v: T): asserts v is T & Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalidParameterError(subject, 'an object', v, 'type');
}

/** An integer in [min, max]. */
export function integer(subject: string, v: unknown, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): asserts v is number {
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  if (typeof v !== 'number') throw invalidParameterError(subject, expected, v, 'type');
  if (!Number.isInteger(v) || v < min || v > max) throw invalidParameterError(subject, expected, v);
}

/** A finite number in [min, max]. */
export function finite(subject: string, v: unknown, min = -Infinity, max = Infinity): asserts v is number {
  const expected = min === -Infinity && max === Infinity ? 'a finite number'
    : max === Infinity ? `a finite number >= ${min}` : `a number in [${min}, ${max}]`;
  if (typeof v !== 'number') throw invalidParameterError(subject, expected, v, 'type');
  if (!Number.isFinite(v) || v < min || v > max) throw invalidParameterError(subject, expected, v);
}

export function string(subject: string, v: unknown): asserts v is string {
  if (typeof v !== 'string') throw invalidParameterError(subject, 'a string', v, 'type');
}

export function boolean(subject: string, v: unknown): asserts v is boolean {
  if (typeof v !== 'boolean') throw invalidParameterError(subject, 'a boolean', v, 'type');
}

export function func(subject: string, v: unknown): asserts v is (...args: never[]) => unknown {
  if (typeof v !== 'function') throw invalidParameterError(subject, 'a function', v, 'type');
}

/** One of a few strings. */
export function oneOf<T extends string>(subject: string, v: unknown, values: readonly T[]): asserts v is T {
  const expected = values.length === 2 ? `'${values[0]}' or '${values[1]}'` : `one of ${values.map((x) => `'${x}'`).join(', ')}`;
  if (typeof v !== 'string') throw invalidParameterError(subject, expected, v, 'type');
  if (!(values as readonly string[]).includes(v)) throw invalidParameterError(subject, expected, v);
}

/** Edit distance (insertions, deletions, substitutions), case-insensitive: how close a typo is. */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}

/** Where else an option may belong: a path prefix ('options.', or '' for the top level) and its keys. */
export type OptionGroups = Record<string, readonly string[]>;

/**
 * Refuses any own key of `obj` that is not in `valid`, naming it with `prefix` (its path in
 * the caller's argument) and the closest key that is valid here or in one of `elsewhere`'s
 * groups, with that group's prefix: a key that belongs in another object is pointed there.
 * Undefined values count as given (a typo is a typo whatever its value).
 */
export function knownKeys(where: string, obj: object, valid: readonly string[], prefix = '', elsewhere: OptionGroups = {}): void {
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key) || valid.includes(key)) continue;
    throw new TypeError(`${where}: unknown option '${prefix}${key}' (${suggest(key, valid, prefix, elsewhere)})`);
  }
}

/** "did you mean X?" with the closest of `valid` to `key`, or "valid here: ..." (for names that are not option keys: envs). */
export function closest(key: string, valid: readonly string[]): string {
  return suggest(key, valid, '', {});
}

function suggest(key: string, valid: readonly string[], prefix: string, elsewhere: OptionGroups): string {
  for (const [p, keys] of Object.entries(elsewhere)) if (keys.includes(key)) return `did you mean ${p}${key}?`;
  let best = '', bestD = Infinity;
  for (const [p, keys] of [[prefix, valid] as const, ...Object.entries(elsewhere)]) {
    for (const k of keys) {
      const d = distance(key, k);
      if (d < bestD) [best, bestD] = [`${p}${k}`, d];
    }
  }
  // Close enough to be a typo: a third of the key's letters, and at least two.
  if (best && bestD <= Math.max(2, Math.floor(key.length / 3))) return `did you mean ${best}?`;
  return valid.length ? `valid here: ${valid.join(', ')}` : 'no options are accepted here';
}
