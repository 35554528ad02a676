/**
 * The NaN diagnosis: a loss, gradient or parameter that is not finite stops training at the
 * update where it appeared, naming the step, the tensor and the first bad index.
 */
import type { SAC, UpdateInfo } from '../sac/sac.js';

/** Thrown when a loss, gradient or parameter turns non-finite: names the step, the tensor and the index. */
export class NonFiniteError extends Error {}

/**
 * Checks one update's losses and every gradient and parameter. The check is one native sum
 * per buffer: a sum is finite when every term is (a finite overflow to Inf is then found
 * to be harmless by the scan).
 */
export function checkFinite(agent: SAC, step: number, info: UpdateInfo): void {
  const where = `training step ${step}, update ${agent.qOptimizer.t}`;
  if (!Number.isFinite(info.lossQ)) throw new NonFiniteError(`${where}: loss_q is ${info.lossQ}`);
  if (info.piSteps > 0 && !Number.isFinite(info.lossPi)) throw new NonFiniteError(`${where}: loss_pi is ${info.lossPi}`);
  const k = agent.k, p = agent.params;
  for (const [what, buf] of [['gradient of', p.grad], ['parameter', p.data]] as const) {
    if (Number.isFinite(k.sum(buf))) continue;
    const bad = firstNonFinite(buf);
    if (bad < 0) continue;
    let off = 0;
    for (const n of p.names) {
      const size = p.get(n).size;
      if (bad < off + size) throw new NonFiniteError(`${where}: ${what} ${n} is ${buf[bad]} at index ${bad - off}`);
      off += size;
    }
  }
}

function firstNonFinite(xs: Float32Array): number {
  for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i]!)) return i;
  return -1;
}
