/** The PyTorch fixture of the trace tests (test/fixtures/make_trace_fixture.py) and its files. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { loadSafetensors, type NamedTensor } from '../../src/io/safetensors.js';

export interface FixtureEntry {
  shape: number[];
  /** Non-finite values are the strings "-Infinity", "Infinity", "NaN". */
  data: (number | string)[];
}

export interface FixtureCase {
  name: string;
  checkpoint: string;
  batch: string;
  alpha: number;
  gamma: number;
  act_limit: number;
  loss_q: number;
  loss_pi: number;
  grads: Record<string, FixtureEntry>;
  nodes: Record<string, { value: FixtureEntry; grad: FixtureEntry | null }>;
}

export const fixturePath = (file: string) => fileURLToPath(new URL(`../../../test/fixtures/${file}`, import.meta.url));

export const fixture: { torch: string; cases: FixtureCase[] } = JSON.parse(readFileSync(fixturePath('trace.json'), 'utf8'));

export const numbers = (e: FixtureEntry) => e.data.map(Number);

export function caseFiles(c: FixtureCase): { checkpoint: Map<string, NamedTensor>; batch: Map<string, NamedTensor> } {
  return { checkpoint: loadSafetensors(fixturePath(c.checkpoint)).tensors, batch: loadSafetensors(fixturePath(c.batch)).tensors };
}

export const caseOptions = (c: FixtureCase) => ({ alpha: c.alpha, gamma: c.gamma, actLimit: c.act_limit });
