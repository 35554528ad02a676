/**
 * A training run's directory: config.json, progress.txt (Spinning Up's tab-separated
 * format, one row per epoch, so its plotting tools read it), learning-curve.svg,
 * model.safetensors (the online and target parameters under PyTorch's state-dict names),
 * checkpoint.safetensors (everything `softac train --resume` needs) and, when the run
 * renders, replay.html. Every file is replaced atomically, so a crash leaves the previous
 * version or the new one.
 */
import { existsSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';

import { writeFileAtomic } from '../io/atomic.js';
import { type Checkpoint, loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import type { NamedTensor } from '../io/safetensors.js';
import type { SAC } from '../sac/sac.js';
import { type CurvePoint, learningCurveSvg } from './curve.js';

export class RunDir {
  private readonly rows: string[][] = [];
  private header: string[] | null = null;

  constructor(readonly dir: string) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new Error(`run directory ${dir}: cannot create it (${(e as Error).message})`);
    }
  }

  writeConfig(config: unknown): void {
    writeFileAtomic(join(this.dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  }

  /**
   * Removes the temporary files a killed writer left behind (writeFileAtomic's
   * `.<name>.<pid>.<time>.tmp`); the files they were meant to replace are intact.
   */
  removeStaleTemporaries(): number {
    let n = 0;
    for (const f of readdirSync(this.dir)) {
      if (!/^\..+\.\d+\.\d+\.tmp$/.test(f)) continue;
      try {
        unlinkSync(join(this.dir, f));
        n++;
      } catch {
        // Gone already, or not ours to remove: either way nothing to do.
      }
    }
    return n;
  }

  get checkpointPath(): string {
    return join(this.dir, 'checkpoint.safetensors');
  }

  /** checkpoint.safetensors: tensors plus the JSON state, written atomically. */
  writeCheckpoint(tensors: Iterable<[string, NamedTensor]>, state: Record<string, unknown>): void {
    saveCheckpoint(this.checkpointPath, tensors, state);
  }

  readCheckpoint(): Checkpoint {
    return loadCheckpoint(this.checkpointPath);
  }

  /** Replaces progress.txt with these rows (a resumed run starts from its checkpoint's epochs). */
  setProgress(rows: readonly (readonly (readonly [string, string])[])[]): void {
    this.header = null;
    this.rows.length = 0;
    if (rows.length === 0) return;
    for (const row of rows.slice(0, -1)) {
      const names = row.map(([k]) => k);
      if (!this.header) this.header = names;
      this.rows.push(row.map(([, v]) => v));
    }
    this.addProgress(rows[rows.length - 1]!);
  }

  /** Adds one epoch's row (column name, value) and rewrites progress.txt. */
  addProgress(row: readonly (readonly [string, string])[]): void {
    const names = row.map(([k]) => k);
    if (!this.header) this.header = names;
    else if (names.join('\t') !== this.header.join('\t')) throw new Error('progress.txt: every row must have the same columns');
    this.rows.push(row.map(([, v]) => v));
    writeFileAtomic(join(this.dir, 'progress.txt'), [this.header, ...this.rows].map((r) => r.join('\t')).join('\n') + '\n');
  }

  /** learning-curve.svg, redrawn from every epoch so far. */
  writeCurve(points: readonly CurvePoint[], title: string): void {
    writeFileAtomic(join(this.dir, 'learning-curve.svg'), learningCurveSvg(points, title));
  }

  /** replay.html: a replay page (see replay/html.ts). */
  writeReplay(html: string): void {
    writeFileAtomic(join(this.dir, 'replay.html'), html);
  }

  /** model.safetensors: the agent's online and target parameters by state-dict name. */
  writeModel(agent: SAC): void {
    agent.saveModel(join(this.dir, 'model.safetensors'));
  }
}

/** runs/<env>-<date>-<time>: where a run goes when no directory is named (an env module by its file name). */
export function defaultRunDir(envName: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return join('runs', `${basename(envName).replace(/\.m?js$/, '')}-${stamp}`);
}

/** A run directory to continue, as openRunToResume finds it. */
export interface RunToResume {
  run: RunDir;
  checkpoint: Checkpoint;
  /** The env as given to the first run (a built-in name), and how to load it (a module path made absolute). */
  envName: string;
  envSpec: string;
}

/**
 * Opens an existing run directory to resume: it must exist (a typo is not made into a new
 * directory), the temporaries a killed writer left are swept, and its checkpoint must load
 * and say which env it trained. Errors start with `label` and the directory (the flag or
 * option that named it).
 */
export function openRunToResume(dir: string, label: string): RunToResume {
  const fail = (why: string): never => {
    throw new Error(`${label} ${dir}: ${why}`);
  };
  if (!existsSync(dir) || !statSync(dir).isDirectory()) fail('no such run directory');
  const run = new RunDir(dir);
  run.removeStaleTemporaries();
  let checkpoint: Checkpoint;
  try {
    checkpoint = run.readCheckpoint();
  } catch (e) {
    return fail((e as Error).message);
  }
  const st = checkpoint.state as { envName?: unknown; envSpec?: unknown };
  if (typeof st.envSpec !== 'string' || typeof st.envName !== 'string') fail('the checkpoint does not say which env it trained');
  return { run, checkpoint, envName: st.envName as string, envSpec: st.envSpec as string };
}
