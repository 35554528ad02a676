/**
 * The checkpoint loader under mutation fuzzing: a valid checkpoint's bytes flipped and cut,
 * its JSON state's fields replaced, dropped or retyped, its tensors dropped or resized. Each
 * case must either restore (and then train on) or be refused with an Error that names the
 * checkpoint or the file: never an internal TypeError, never a hang.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Pendulum } from '../../src/envs/index.js';
import { CHECKPOINT_KEY, decodeCheckpoint, encodeCheckpoint, parseExact, stringifyExact } from '../../src/io/checkpoint.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../../src/io/safetensors.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { Rng } from '../../src/nn/rng.js';
import { Trainer } from '../../src/train/loop.js';

const k = referenceKernels;
const options = { hidden: [4, 4], batchSize: 8, stepsPerEpoch: 30, epochs: 3, startSteps: 20, updateAfter: 20, updateEvery: 10, numTestEpisodes: 1, replaySize: 200, alpha: 'auto' as const };
const setup = { k, makeEnv: () => new Pendulum(), envName: 'Pendulum-v1' };

const tr = new Trainer({ ...setup, options, seed: 1 });
while (tr.t < 45) tr.step();
const saved = tr.saveState();
const valid = encodeCheckpoint(saved.tensors, saved.state as unknown as Record<string, unknown>);
const { tensors, metadata } = decodeSafetensors(valid, 'valid');
const state = parseExact(metadata[CHECKPOINT_KEY]!) as Record<string, unknown>;

const oddValues: unknown[] = [null, -1, 0, 1.5, 2 ** 53, 1e300, -0, NaN, Infinity, 'x', '', true, [], [1, 2], {}, { a: 1 }, [null]];

/** Every path to a leaf or a branch of a JSON value. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (prefix.length) out.push(prefix);
  if (v !== null && typeof v === 'object') for (const [key, x] of Object.entries(v)) paths(x, [...prefix, Array.isArray(v) ? Number(key) : key], out);
  return out;
}
const statePaths = paths(state);

function mutateState(rng: Rng): Record<string, unknown> {
  const s = structuredClone(state) as Record<string, unknown>;
  for (let n = 1 + rng.int(2); n > 0; n--) {
    const path = statePaths[rng.int(statePaths.length)]!;
    let parent: Record<string | number, unknown> = s;
    for (const key of path.slice(0, -1)) {
      const next = parent[key];
      if (next === null || typeof next !== 'object') return s;
      parent = next as Record<string | number, unknown>;
    }
    const last = path[path.length - 1]!;
    if (rng.uniform() < 0.25) delete parent[last];
    else parent[last] = oddValues[rng.int(oddValues.length)];
  }
  return s;
}

function mutateTensors(rng: Rng): [string, NamedTensor][] {
  const out = [...tensors].map(([n, t]) => [n, t] as [string, NamedTensor]);
  const i = rng.int(out.length);
  const [name, t] = out[i]!;
  const r = rng.uniform();
  if (r < 0.4) out.splice(i, 1);
  else if (r < 0.8) {
    const n = Math.max(0, t.data.length + (rng.uniform() < 0.5 ? -1 : 1) * (1 + rng.int(3)));
    out[i] = [name, { shape: [n], data: new Float32Array(n) }];
  } else out.push([`extra.${rng.int(1000)}`, { shape: [2], data: new Float32Array(2) }]);
  return out;
}

function mutateBytes(rng: Rng): Uint8Array {
  const b = valid.slice();
  const r = rng.uniform();
  if (r < 0.3) return b.subarray(0, rng.int(b.length));
  const headerEnd = 8 + Number(new DataView(b.buffer).getBigUint64(0, true));
  for (let n = 1 + rng.int(4); n > 0; n--) {
    const at = r < 0.8 ? rng.int(headerEnd) : rng.int(b.length);
    b[at] = b[at]! ^ (1 << rng.int(8));
  }
  return b;
}

test('1,500 mutated checkpoints: each restores and trains on, or is refused with a named error', () => {
  const rng = new Rng(77);
  let restored = 0, refused = 0;
  const internal = /Cannot read propert|is not a function|is not iterable|Cannot convert|(undefined|null) is not (a function|iterable|an object)|Maximum call stack|Invalid array length|out of memory/;
  for (let c = 0; c < 1500; c++) {
    const kind = c % 3;
    let bytes: Uint8Array;
    try {
      bytes = kind === 0 ? mutateBytes(rng)
        : kind === 1 ? encodeSafetensors(tensors, { [CHECKPOINT_KEY]: stringifyExact(mutateState(rng)) })
        : encodeSafetensors(mutateTensors(rng), metadata);
    } catch {
      continue; // a mutation the encoder itself refuses is no input at all
    }
    try {
      const t = Trainer.restore(setup, decodeCheckpoint(bytes, 'fuzz'));
      for (let i = 0; i < 12 && !t.done; i++) t.step();
      restored++;
    } catch (e) {
      const err = e as Error;
      assert.ok(err instanceof Error, `case ${c}: threw a non-Error ${String(e)}`);
      assert.not.match(err.message, internal, `case ${c} (kind ${kind}): an internal error leaked: ${err.message}`);
      assert.match(err.message, /^(safetensors fuzz|checkpoint|Rng\.setState|state dict|Adam\.setState|ReplayBuffer|ParameterSet|env 'Pendulum-v1'|training step)/, `case ${c} (kind ${kind}): unnamed error: ${err.message}`);
      refused++;
    }
  }
  assert.ok(restored > 50 && refused > 800, `restored ${restored}, refused ${refused}`);
});

test.run();
