/**
 * The FLOP count of one Spinning Up SAC update, from the shapes alone. A multiply-add is 2
 * FLOPs; only the matrix products are counted (biases, activations, the squashed Gaussian,
 * Adam and polyak are O(parameters + batch x width), under 1% here). The count is the work
 * the update needs, so an implementation that does more (a weight gradient of a frozen
 * Q-network, say) gets no credit for it.
 *
 * For a layer of batch B, n inputs and m outputs: forward 2Bnm, weight gradient 2Bnm,
 * input gradient 2Bnm (skipped where the input needs none: a network's first layer when
 * its input is data).
 *
 * Q step: q1, q2 forward on (o, a); pi forward on o2 and both target Q forward on (o2, a2)
 *   (the backup, no gradient); backward of q1 and q2: every weight gradient, and the input
 *   gradients of every layer but the first.
 * Policy step: pi forward on o; q1, q2 forward on (o, pi(o)); backward through q1 and q2 to
 *   the action (input gradients of every layer, no weight gradients: Q is frozen); then
 *   pi's weight gradients, its heads' input gradients and its torso's input gradients but
 *   the first layer's.
 */
export interface UpdateShape {
  batch: number;
  obsDim: number;
  actDim: number;
  hidden: readonly number[];
}

/** Sum of n_l * n_(l+1) over consecutive sizes, from layer `from` on. */
function macs(sizes: readonly number[], from = 0): number {
  let s = 0;
  for (let l = from; l + 1 < sizes.length; l++) s += sizes[l]! * sizes[l + 1]!;
  return s;
}

export function sacUpdateFlops({ batch: B, obsDim: d, actDim: a, hidden }: UpdateShape): { qStep: number; piStep: number; total: number } {
  const q = [d + a, ...hidden, 1];
  const torso = [d, ...hidden];
  const h = hidden[hidden.length - 1]!;
  const heads = 2 * h * a; // mu_layer and log_std_layer
  const qFwd = macs(q), piFwd = macs(torso) + heads;
  // In multiply-adds, then x 2 B.
  const qStep = 2 * qFwd + piFwd + 2 * qFwd + 2 * qFwd + 2 * macs(q, 1);
  const piStep = piFwd + 2 * qFwd + 2 * macs(q) + (macs(torso) + heads) + macs(torso, 1) + heads;
  return { qStep: 2 * B * qStep, piStep: 2 * B * piStep, total: 2 * B * (qStep + piStep) };
}
