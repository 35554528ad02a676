/**
 * Spinning Up's logger, for softac: one epoch's values in its column names and order (the
 * epoch table on the terminal, progress.txt on disk), and a run directory kept current
 * after every epoch: progress.txt, learning-curve.svg, model.safetensors, the full
 * checkpoint and, every renderEvery epochs, replay.html. Every run with a directory
 * records through RunLogger (see run.ts).
 */
import { basename } from 'node:path';

import type { Env } from '../envs/types.js';
import { replayHtml } from '../replay/html.js';
import { recordOnFreshEnv } from '../replay/record.js';
import type { CurvePoint } from './curve.js';
import type { EpochStats, Stat } from './epoch-logger.js';
import { testSeed, type Trainer } from './loop.js';
import type { RunDir } from './run-dir.js';

export const num = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

const withMinAndMax = (name: string, x: Stat): [string, string][] =>
  [[`Average${name}`, num(x.average)], [`Std${name}`, num(x.std)], [`Max${name}`, num(x.max)], [`Min${name}`, num(x.min)]];

/** One epoch's logged values in Spinning Up's column names and order. */
export function epochRow(s: EpochStats): [string, string][] {
  return [
    ['Epoch', String(s.epoch)],
    ['AverageEpRet', num(s.epRet.average)], ['StdEpRet', num(s.epRet.std)], ['MaxEpRet', num(s.epRet.max)], ['MinEpRet', num(s.epRet.min)],
    ['AverageTestEpRet', num(s.testEpRet.average)], ['StdTestEpRet', num(s.testEpRet.std)], ['MaxTestEpRet', num(s.testEpRet.max)], ['MinTestEpRet', num(s.testEpRet.min)],
    ['EpLen', num(s.epLen, 1)], ['TestEpLen', num(s.testEpLen, 1)], ['TotalEnvInteracts', String(s.totalEnvInteracts)],
    ...withMinAndMax('Q1Vals', s.q1Vals), ...withMinAndMax('Q2Vals', s.q2Vals), ...withMinAndMax('LogPi', s.logPi),
    ['LossPi', num(s.lossPi)], ['LossQ', num(s.lossQ)], ['Alpha', num(s.alpha, 4)], ['Time', num(s.time, 1)],
  ];
}

/** Spinning Up's epoch table, one block per epoch. */
export function epochTable(s: EpochStats): string {
  const rows = epochRow(s);
  const bar = '-'.repeat(41);
  return [bar, ...rows.map(([k, v]) => `|${k.padStart(19)} |${v.padStart(18)} |`), bar].join('\n');
}

/** A run's replays: replay.html every `every` epochs, each drawn on a fresh env from makeEnv. */
export interface RunReplays {
  every: number;
  makeEnv: () => Env;
}

/**
 * Writes a run's files as it trains. `extra` goes into every checkpoint beside the
 * trainer's state (what the env was and which kernels ran, for a later resume), and so
 * does `renderEvery` when the run renders.
 */
export class RunLogger {
  private readonly curve: CurvePoint[] = [];

  constructor(readonly run: RunDir, private readonly trainer: Trainer, private readonly extra: Record<string, unknown>,
    private readonly replays: RunReplays | null = null) {
    // A resumed run starts from its checkpoint's epochs: progress.txt and the curve are rebuilt from them.
    if (trainer.epochs.length) {
      run.setProgress(trainer.epochs.map(epochRow));
      for (const s of trainer.epochs) this.curve.push(curvePoint(s));
    }
  }

  /** After an epoch: its progress row, the redrawn curve, the model and the checkpoint. */
  epoch(s: EpochStats): void {
    this.run.addProgress(epochRow(s));
    this.curve.push(curvePoint(s));
    this.run.writeCurve(this.curve, `SAC on ${basename(this.trainer.envName)} (seed ${this.trainer.seed})`);
    this.model();
    this.checkpoint();
    if (this.replays && s.epoch % this.replays.every === 0) this.replay(s.epoch);
  }

  /**
   * replay.html: the epoch's last test episode again, on an env of its own with the same
   * reset seed and the deterministic policy, which draws no randomness; so the run's
   * numbers are those of a run that does not render.
   */
  private replay(epoch: number): void {
    const t = this.trainer, n = t.agent.opts.numTestEpisodes;
    const rec = recordOnFreshEnv(t.agent, this.replays!.makeEnv, t.envName, t.maxEpLen, testSeed(t.seed, epoch, n - 1));
    this.run.writeReplay(replayHtml(rec, `softac train, run ${this.run.dir}, epoch ${epoch}: the last of its ${n} test episodes`));
  }

  /** model.safetensors: the agent's parameters and targets as they are now. */
  model(): void {
    this.run.writeModel(this.trainer.agent);
  }

  /** The full checkpoint, atomically (also when a run is stopped mid-epoch). */
  checkpoint(): void {
    const { tensors, state } = this.trainer.saveState();
    this.run.writeCheckpoint(tensors, { ...state, ...this.extra, ...(this.replays ? { renderEvery: this.replays.every } : {}) });
  }
}

function curvePoint(s: EpochStats): CurvePoint {
  return { steps: s.totalEnvInteracts, train: s.epRet.average, test: s.testEpRet.average };
}
