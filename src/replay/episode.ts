/**
 * One deterministic episode, as Spinning Up's test_agent runs each: reset with a seed, then
 * the mean action until the env ends the episode or max_ep_len cuts it. The training
 * loop's test (testAgent) and the replay recorder both run episodes through this one
 * function, so a recorded episode is the test episode of the same seed, step for step.
 */
import { checkedReset, checkedStep } from '../envs/guard.js';
import type { Env, StepResult } from '../envs/types.js';
import type { Acting } from '../sac/policy.js';

/**
 * Runs the episode from reset(seed). `where` names it in the env's errors ('test episode
 * 1'); `watch` sees the start (with null) and then every step's result, after the step.
 */
export function deterministicEpisode(agent: Acting, env: Env, name: string, maxEpLen: number, seed: number, where: string,
  watch?: (r: StepResult | null) => void): { ret: number; len: number } {
  const obsDim = agent.sizes.obsDim;
  let o = checkedReset(env, name, seed, obsDim), ret = 0, len = 0;
  watch?.(null);
  for (;;) {
    const r = checkedStep(env, name, agent.act(o, true), obsDim, `${where} step ${len + 1}`);
    ret += r.reward;
    len++;
    o = r.observation;
    watch?.(r);
    if (r.terminated || r.truncated || len === maxEpLen) return { ret, len };
  }
}
