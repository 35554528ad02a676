/**
 * One epoch's statistics in one object, as Spinning Up's EpochLogger: the loop stores each
 * finished episode and each update as they happen, dump() turns them into the epoch's row
 * (EpochStats) and starts the next epoch; state()/load() carry an unfinished epoch through
 * a checkpoint. The accumulators live in one record, so reset, save and restore each touch
 * them in one place.
 */
import type { UpdateInfo } from '../sac/sac.js';

export interface Stat {
  average: number;
  std: number;
  max: number;
  min: number;
}

/** One row of Spinning Up's epoch table. */
export interface EpochStats {
  epoch: number;
  epRet: Stat;
  epLen: number;
  testEpRet: Stat;
  testEpLen: number;
  totalEnvInteracts: number;
  /** Over every Q1 / Q2 / logp_pi value of the epoch's update batches (Spinning Up's with_min_and_max). */
  q1Vals: Stat;
  q2Vals: Stat;
  logPi: Stat;
  lossPi: number;
  lossQ: number;
  alpha: number;
  /** Seconds since training started. */
  time: number;
}

/** Moments as plain numbers, for a checkpoint. */
export interface MomentsState {
  n: number;
  sum: number;
  sumSq: number;
  min: number;
  max: number;
}

/** Running count, sum, sum of squares, min and max: a Stat over many batches without keeping them. */
export class Moments {
  n = 0;
  sum = 0;
  sumSq = 0;
  min = Infinity;
  max = -Infinity;

  add(xs: ArrayLike<number>): void {
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      this.n++;
      this.sum += x;
      this.sumSq += x * x;
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
    }
  }

  stat(): Stat {
    if (this.n === 0) return { average: NaN, std: NaN, max: NaN, min: NaN };
    const average = this.sum / this.n;
    return { average, std: Math.sqrt(Math.max(0, this.sumSq / this.n - average * average)), max: this.max, min: this.min };
  }

  state(): MomentsState {
    return { n: this.n, sum: this.sum, sumSq: this.sumSq, min: this.min, max: this.max };
  }

  static from(s: MomentsState): Moments {
    return Object.assign(new Moments(), s);
  }
}

export function stat(xs: readonly number[]): Stat {
  if (xs.length === 0) return { average: NaN, std: NaN, max: NaN, min: NaN };
  const average = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - average) ** 2, 0) / xs.length);
  return { average, std, max: Math.max(...xs), min: Math.min(...xs) };
}

/**
 * An epoch's accumulators: M is Moments while it runs, MomentsState in a checkpoint
 * (TrainerState.epoch is EpochState).
 */
interface EpochRecord<M> {
  /** EpRet, EpLen: one entry per finished training episode. */
  rets: number[];
  lens: number[];
  /** Updates, and those that ran policy steps (all of them unless policyDelay > 1). */
  updates: number;
  piUpdates: number;
  lossPiSum: number;
  lossQSum: number;
  q1: M;
  q2: M;
  logPi: M;
}

/** An unfinished epoch in a checkpoint (TrainerState.epoch). */
export type EpochState = EpochRecord<MomentsState>;
type Accumulators = EpochRecord<Moments>;

const fresh = (): Accumulators => ({ rets: [], lens: [], updates: 0, piUpdates: 0, lossPiSum: 0, lossQSum: 0, q1: new Moments(), q2: new Moments(), logPi: new Moments() });

export class EpochLogger {
  private e = fresh();

  /** A finished training episode (EpRet, EpLen). */
  storeEpisode(epRet: number, epLen: number): void {
    this.e.rets.push(epRet);
    this.e.lens.push(epLen);
  }

  /** One update: LossQ, Q1Vals, Q2Vals, and when it ran policy steps LossPi and LogPi. */
  storeUpdate(info: UpdateInfo, last: { q1: Float32Array; q2: Float32Array; logPi: Float32Array }): void {
    const e = this.e;
    e.updates++;
    e.lossQSum += info.lossQ;
    e.q1.add(last.q1);
    e.q2.add(last.q2);
    if (info.piSteps > 0) {
      e.piUpdates++;
      e.lossPiSum += info.lossPi;
      e.logPi.add(last.logPi);
    }
  }

  /** The epoch's row from what was stored and the test episodes; the next epoch starts empty. */
  dump(epoch: number, test: { rets: number[]; lens: number[] }, totalEnvInteracts: number, alpha: number, time: number): EpochStats {
    const e = this.e;
    const mean = (sum: number, n: number) => (n ? sum / n : NaN);
    this.e = fresh();
    return {
      epoch, epRet: stat(e.rets), epLen: stat(e.lens).average, testEpRet: stat(test.rets), testEpLen: stat(test.lens).average,
      totalEnvInteracts, q1Vals: e.q1.stat(), q2Vals: e.q2.stat(), logPi: e.logPi.stat(),
      lossPi: mean(e.lossPiSum, e.piUpdates), lossQ: mean(e.lossQSum, e.updates), alpha, time,
    };
  }

  state(): EpochState {
    const e = this.e;
    return { rets: [...e.rets], lens: [...e.lens], updates: e.updates, piUpdates: e.piUpdates, lossPiSum: e.lossPiSum, lossQSum: e.lossQSum,
      q1: e.q1.state(), q2: e.q2.state(), logPi: e.logPi.state() };
  }

  load(s: EpochState): void {
    this.e = { ...s, rets: [...s.rets], lens: [...s.lens], q1: Moments.from(s.q1), q2: Moments.from(s.q2), logPi: Moments.from(s.logPi) };
  }
}
