/**
 * A training run's directory: config.json, progress.txt (Spinning Up's tab-separated
 * format, one row per epoch, so its plotting tools read it), learning-curve.svg and
 * model.safetensors (the online and target parameters under PyTorch's state-dict names). Every file is replaced
 * atomically after each epoch.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { SAC } from '../sac/sac.js';
import { writeFileAtomic } from './atomic.js';
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

  /** model.safetensors: the agent's online and target parameters by state-dict name. */
  writeModel(agent: SAC): void {
    agent.saveModel(join(this.dir, 'model.safetensors'));
  }
}
