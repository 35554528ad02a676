/**
 * The behaviour fingerprints: three short fixed training runs and the trace of the PyTorch
 * fixtures, run through the CLI, reduced to SHA-256s of model.safetensors, progress.txt
 * without its Time column, and the trace's JSON. A refactor that changes no behaviour
 * leaves every one of them equal (test/behaviour/golden.test.ts; record them anew with
 * scripts/record-golden.mjs only for a change meant to alter results).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runCli } from '../helpers/spawn.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));

const short = ['--epochs', '2', '--steps-per-epoch', '400', '--start-steps', '200', '--update-after', '200', '--batch-size', '32',
  '--hidden', '32,32', '--num-test-episodes', '1'];

/** name -> the CLI arguments (a run's --out is added). */
export const cases: Record<string, { args: string[]; kind: 'train' | 'trace' }> = {
  'pendulum-fixed-alpha': { kind: 'train', args: ['train', '--env', 'Pendulum-v1', '--seed', '3', ...short, '--update-every', '50', '--alpha', '0.1'] },
  'mountaincar-auto-alpha-delay2': { kind: 'train', args: ['train', '--env', 'MountainCarContinuous-v0', '--seed', '5', ...short, '--update-every', '40', '--alpha', 'auto', '--policy-delay', '2'] },
  'user-env-module': { kind: 'train', args: ['train', '--env', join(fixtures, 'line-env.mjs'), '--seed', '2', ...short, '--update-every', '25', '--gamma', '0.95'] },
  'trace-small': { kind: 'trace', args: ['trace', '--checkpoint', join(fixtures, 'trace_small.ckpt.safetensors'), '--batch', join(fixtures, 'trace_small.batch.safetensors'), '--rows', '0,1,4', '--json'] },
  'trace-wide': { kind: 'trace', args: ['trace', '--checkpoint', join(fixtures, 'trace_wide.ckpt.safetensors'), '--batch', join(fixtures, 'trace_wide.batch.safetensors'), '--rows', '0,3', '--json', '--alpha', '0.05', '--gamma', '0.9'] },
};

/** The backends fingerprinted: the TypeScript reference, the native addon on one SIMD path, WebAssembly. */
export type Variant = 'js' | 'wasm' | `native/${string}`;

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

function variantEnv(v: Variant): NodeJS.ProcessEnv {
  const { NO_COLOR: _n, FORCE_COLOR: _f, SOFTAC_SIMD: _s, ...env } = process.env;
  if (v === 'js' || v === 'wasm') return { ...env, SOFTAC_BACKEND: v };
  return { ...env, SOFTAC_BACKEND: 'native', SOFTAC_SIMD: v.slice('native/'.length) };
}

/** One case's fingerprint on one backend: file name -> SHA-256. */
export async function fingerprint(name: string, v: Variant, timeoutMs = 120_000): Promise<Record<string, string>> {
  const c = cases[name]!;
  const dir = mkdtempSync(join(tmpdir(), 'softac-golden-'));
  try {
    const args = c.kind === 'train' ? [...c.args, '--out', join(dir, 'run')] : c.args;
    const r = await runCli(args, { env: variantEnv(v), timeoutMs });
    if (r.status !== 0) throw new Error(`softac ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
    if (c.kind === 'trace') return { 'trace.json': sha(r.stdout) };
    const progress = readFileSync(join(dir, 'run', 'progress.txt'), 'utf8').trimEnd().split('\n');
    const time = progress[0]!.split('\t').indexOf('Time');
    if (time < 0) throw new Error('progress.txt has no Time column');
    const untimed = progress.map((l) => l.split('\t').filter((_, i) => i !== time).join('\t')).join('\n');
    return { 'model.safetensors': sha(readFileSync(join(dir, 'run', 'model.safetensors'))), 'progress.txt': sha(untimed) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const goldenPath = join(fixtures, 'golden.json');

/** variant -> case -> file -> SHA-256. */
export type Golden = Record<string, Record<string, Record<string, string>>>;
