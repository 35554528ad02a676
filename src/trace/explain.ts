/**
 * `softac trace --explain`: beside each node of the update, one or two plain sentences on
 * what it is and why it is there, with the numbers of the chosen batch row. Written for a
 * reader who knows some calculus but no reinforcement learning.
 */
import { LOG_STD_MAX, LOG_STD_MIN } from '../kernels/index.js';
import { rowOf, type Trace, traceNode } from './trace.js';

/** A number as the trace prints it: 4 significant digits; -inf, inf and NaN by name. */
export function fmt(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return String(Number(x.toPrecision(4)));
}

/** A row's values: one number alone, a short vector in brackets, a long one cut after 4. */
export function fmtVec(v: readonly number[]): string {
  if (v.length === 1) return fmt(v[0]!);
  if (v.length > 6) return `[${v.slice(0, 4).map(fmt).join(', ')}, … (${v.length} values)]`;
  return `[${v.map(fmt).join(', ')}]`;
}

/** The sentences for every node of the trace, at batch row `row`, by node name. */
export function explainRow(trace: Trace, row: number): Map<string, string> {
  const { alpha, gamma, actLimit } = trace.opts, B = trace.batchSize;
  const val = (name: string) => rowOf(traceNode(trace, name), row)!;
  const grad = (name: string) => rowOf(traceNode(trace, name), row, 'grad');
  const v = (name: string) => fmtVec(val(name));
  const g = (name: string) => fmtVec(grad(name) ?? []);
  const one = (name: string) => val(name)[0]!;
  // A value inside arithmetic: a negative number in parentheses, so "- -2" reads "- (-2)".
  const vp = (name: string) => (val(name).length === 1 && one(name) < 0 ? `(${v(name)})` : v(name));
  const np = (x: number) => (x < 0 ? `(${fmt(x)})` : fmt(x));
  const sumOf = (name: string) => val(name).reduce((s, x) => s + x, 0);
  const A = trace.sizes.actDim, perDim = A > 1 ? ' (one entry per action dimension)' : '';

  const clamped = val('clamp_active').flatMap((c, j) => (c ? [j] : []));
  const naive = val('correction_naive_f32'), u = val('u');
  const blownUp = naive.flatMap((c, j) => (Number.isFinite(c) ? [] : [j]));
  const q1 = one('q1_pi'), q2 = one('q2_pi'), qT1 = one('q1_pi_targ'), qT2 = one('q2_pi_targ');
  const done = one('d'), logpA2 = one('logp_a2');
  const backupTerm = (q: string) => (one(q) - one('backup')) ** 2;

  const s = new Map<string, string>();
  s.set('torso', `The torso is the shared trunk of the policy network: it turns this row's observation into ${val('torso').length} features, ${v('torso')}, which both heads below read. `
    + `Its gradient ${g('torso')} adds up what the mean head and the spread head each ask of it.`);
  s.set('mu', `mu = ${v('mu')} is the centre of the bell curve the policy samples from, before any squashing${perDim}. `
    + `Its gradient ${g('mu')} says how loss_pi would change if the centre moved: a negative entry means moving that centre up would lower the loss.`);
  s.set('log_std', `The spread head proposes log_std = ${v('log_std')}; a logarithm can be any number, yet exp of it is always a positive spread. `
    + (clamped.length
      ? `${clamped.length > 1 ? 'Dimensions' : 'Dimension'} ${clamped.join(' and ')} ${clamped.length > 1 ? 'are' : 'is'} outside [${LOG_STD_MIN}, ${LOG_STD_MAX}], so the clamp below holds ${clamped.length > 1 ? 'them' : 'it'} at the bound and the gradient there is exactly 0: nothing pushes it back.`
      : `Every entry is inside [${LOG_STD_MIN}, ${LOG_STD_MAX}], so the clamp below passes its gradient ${g('log_std')} straight through.`));
  s.set('log_std_clamped', `After the clamp to [${LOG_STD_MIN}, ${LOG_STD_MAX}] it is ${v('log_std_clamped')}: the spread stays between e^${LOG_STD_MIN} (about 2e-9) and e^${LOG_STD_MAX} (about 7.4), `
    + 'so the policy can neither freeze into a single action nor scatter without limit.');
  s.set('clamp_active', `clamp_active = ${v('clamp_active')} marks with 1 the dimensions whose log_std was clamped. `
    + (clamped.length ? 'Where it is 1 the clamp is flat, so no gradient reaches the spread head through that dimension.' : 'None is, so the gradient flows through the clamp unchanged.'));
  s.set('std', `std = exp(log_std_clamped) = ${v('std')} is the width of the bell curve. `
    + `Its gradient ${g('std')} says whether a wider curve would lower the loss; it reaches the network through exp, whose slope is std itself.`);
  s.set('eps', `eps = ${v('eps')} is the row's standard normal noise (the batch's noise_pi). `
    + 'Drawing the randomness outside the network and then shifting and scaling it (the reparameterisation trick) is what lets gradients reach mu and std.');
  s.set('u', `u = mu + std * eps = ${vp('mu')} + ${v('std')} * ${vp('eps')} = ${v('u')}, a sample that may be any real number. `
    + `Its gradient ${g('u')} gathers all three things built from it: the action, the Gaussian term and the correction.`);
  s.set('tanh_u', `tanh squeezes u into (-1, 1): tanh(${v('u')}) = ${v('tanh_u')}. `
    + `Its slope 1 - tanh(u)^2 is ${fmtVec(val('tanh_u').map((t) => 1 - t * t))} here, so where |u| is large the gradient from the action barely gets through.`);
  s.set('pi_action', `The action is act_limit * tanh(u) = ${fmt(actLimit)} * ${v('tanh_u')} = ${v('pi_action')}, always inside [-${fmt(actLimit)}, ${fmt(actLimit)}]. `
    + `Its gradient ${g('pi_action')} comes from the critics: a negative entry means they would value a larger action more.`);
  s.set('log_prob_gauss', `Normal(mu, std).log_prob(u) = ${v('log_prob_gauss')} is how likely this u was under the bell curve${perDim}. `
    + `Its gradient is alpha / B = ${fmt(alpha)} / ${B} = ${g('log_prob_gauss')}, because the loss pays alpha for every unit of log-probability.`);
  s.set('correction', `Squeezing u through tanh crowds the probability together, so the density of the action is the Gaussian one divided by tanh's slope; in logarithms we subtract log(1 - tanh(u)^2) = ${v('correction')}. `
    + 'It is computed as 2 (log 2 - u - softplus(-2u)), which is the same quantity but never takes the log of 0.');
  s.set('correction_naive_f32', `Written as log(1 - tanh(u)^2) in float32, the same correction gives ${v('correction_naive_f32')}. `
    + (blownUp.length
      ? `Here u = ${fmt(u[blownUp[0]!]!)} rounds tanh(u) to exactly 1, so this is log(0) = -inf and its gradient 0 * inf = NaN: that is why the stable form exists.`
      : 'Every |u| in this row is below about 9, so it agrees with the stable form up to rounding; past that, tanh(u) rounds to 1 and it would be log(0) = -inf.'));
  s.set('logp_pi', `logp_pi = sum of the Gaussian terms - sum of the corrections = ${fmt(sumOf('log_prob_gauss'))} - ${np(sumOf('correction'))} = ${v('logp_pi')}: the log-probability of the action actually taken. `
    + `A low value means a spread-out, exploring policy; its gradient ${g('logp_pi')} is alpha / B.`);
  const smaller = (mine: number, other: number, name: string) => (mine === other
    ? `The two critics agree exactly here, so they share the gradient half and half: ${g(name)}.`
    : mine < other
    ? `It is the smaller of the two here, so only it passes gradient: -1/B = ${g(name)}.`
    : `The other critic is smaller here, so this one gets gradient ${g(name)}: it does not shape this row's update.`);
  s.set('q1_pi', `The first critic, q1, judges the fresh action: q1_pi = ${v('q1_pi')}, its estimate of the total future reward of taking this action here. `
    + smaller(q1, q2, 'q1_pi'));
  s.set('q2_pi', `The second critic, trained on the same data from a different start, says q2_pi = ${v('q2_pi')}. ${smaller(q2, q1, 'q2_pi')}`);
  s.set('q_pi', `Think of the two critics as two advisors: q1 says ${fmt(q1)} and q2 says ${fmt(q2)}, and we trust the smaller, ${v('q_pi')}. `
    + 'Each estimate has errors, and a policy that chases the larger one would chase the errors that happen to be optimistic; the minimum fights that overestimation.');
  s.set('loss_pi', `loss_pi = mean over the ${B} rows of alpha * logp_pi - q_pi = ${v('loss_pi')}; this row adds ${fmt(alpha)} * ${vp('logp_pi')} - ${vp('q_pi')} = ${fmt(alpha * one('logp_pi') - one('q_pi'))} before the mean. `
    + 'Lowering it raises the critics\' value of the action while keeping the policy random, and each gradient above is its slope.');
  s.set('r', `r = ${v('r')} is the reward the environment paid for this transition, the one fact in the backup that nobody estimated.`);
  s.set('d', `d = ${v('d')} says whether this transition was a true ending of the episode (1) or not (0); an episode cut off by a time limit counts as 0.`);
  s.set('a2', `a2 = ${v('a2')} is what the current policy would do in the next state, drawn with the batch's noise_targ. `
    + 'Everything in the backup is computed without gradients: it is the fixed target the critics learn towards, so nothing flows back here.');
  s.set('logp_a2', `logp_a2 = ${v('logp_a2')} is how likely that next action was; the backup subtracts alpha * logp_a2 = ${fmt(alpha)} * ${vp('logp_a2')} = ${fmt(alpha * logpA2)}. `
    + 'That pays for entropy: a next state where the policy stays random is worth more, so exploring is rewarded.');
  s.set('q1_pi_targ', `The target networks are older, slower advisors: copies of the critics that follow them only by small polyak steps. The first says ${v('q1_pi_targ')} for the next state and a2; `
    + 'asking them instead of the critics being trained keeps the backup from chasing itself.');
  s.set('q2_pi_targ', `The second target critic says ${v('q2_pi_targ')} for the same next state and action.`);
  s.set('q_pi_targ', `Again the smaller advisor is trusted: min(${fmt(qT1)}, ${fmt(qT2)}) = ${v('q_pi_targ')}, so an optimistic error in one target does not leak into the backup.`);
  s.set('backup', `backup = r + gamma * (1 - d) * (q_pi_targ - alpha * logp_a2) = ${v('r')} + ${fmt(gamma)} * ${fmt(1 - done)} * (${v('q_pi_targ')} - ${fmt(alpha)} * ${vp('logp_a2')}) = ${v('backup')}. `
    + (done === 1
      ? 'Here (1 - d) = 0: the episode truly ended, so the factor (1 - d) stops the backup from looking past the ending and the target is the reward alone.'
      : `Here (1 - d) = 1, so the future counts, discounted by gamma; at a true ending (1 - d) would be 0 and stop the backup from looking past it.`));
  s.set('q1', `q1 = ${v('q1')} is the first critic's value of the action actually stored in the batch; loss_q pulls it towards the backup ${v('backup')}. `
    + `Its gradient 2 (q1 - backup) / B = ${g('q1')} is that pull.`);
  s.set('q2', `q2 = ${v('q2')} is the second critic's value of the same action, pulled towards the same backup ${v('backup')}, with gradient ${g('q2')}.`);
  s.set('loss_q', `loss_q = mean (q1 - backup)^2 + mean (q2 - backup)^2 = ${v('loss_q')}: both critics learn by plain regression on one shared target. `
    + `This row adds (${v('q1')} - ${vp('backup')})^2 + (${v('q2')} - ${vp('backup')})^2 = ${fmt(backupTerm('q1') + backupTerm('q2'))} before the mean.`);
  return s;
}
