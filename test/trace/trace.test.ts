/**
 * The trace computes what the SAC agent computes (same losses, same gradients, bit for
 * bit), its opened-up squashed Gaussian agrees with the fused op's own gradients, the naive
 * correction really breaks in float32, and bad checkpoints and batches are named.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import type { NamedTensor } from '../../src/io/safetensors.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { SAC } from '../../src/sac/sac.js';
import { correctionNaiveF32, correctionStable, dCorrectionNaiveF32, dCorrectionStable } from '../../src/trace/squash64.js';
import { rowOf, summary, TraceInputError, traceNode, traceUpdate } from '../../src/trace/trace.js';
import { assertClose } from '../helpers/assert.js';
import { kernelBackends } from '../helpers/backends.js';
import { caseFiles, caseOptions, fixture } from './helpers.js';

for (const be of kernelBackends()) {
  test(`trace's loss_q, loss_pi and gradients are SAC.lossQ / lossPi's, bit for bit (${be.label})`, () => {
    be.setup();
    for (const c of fixture.cases) {
      const { checkpoint, batch } = caseFiles(c);
      const t = traceUpdate(be.kernels, checkpoint, batch, caseOptions(c));
      const L = c.act_limit, A = t.sizes.actDim;
      const sac = new SAC(be.kernels, t.sizes.obsDim, { low: new Array(A).fill(-L), high: new Array(A).fill(L) },
        { hidden: [...t.sizes.hidden], alpha: c.alpha, gamma: c.gamma, batchSize: t.batchSize }, 0);
      sac.params.load(checkpoint);
      sac.targ.load(checkpoint);
      const get = (n: string) => batch.get(n)!.data;
      const b = { obs: get('obs'), act: get('act'), rew: get('rew'), obs2: get('obs2'), done: get('done'), size: t.batchSize };
      const g = sac.tape;
      sac.params.zeroGrad(be.kernels);
      const lq = sac.lossQ(b, get('noise_targ')).loss;
      g.backward(lq);
      assert.is(t.lossQ, lq.item(), `${c.name}: loss_q`);
      sac.params.setRequiresGrad('q', false);
      const lp = sac.lossPi(b, get('noise_pi')).loss;
      g.backward(lp);
      sac.params.setRequiresGrad('q', true);
      assert.is(t.lossPi, lp.item(), `${c.name}: loss_pi`);
      for (const name of sac.params.names) {
        assert.equal(Array.from(t.grads.get(name)!.data), Array.from(sac.params.get(name).grad!), `${c.name}: d loss / d ${name}`);
      }
      g.reset();
    }
  });
}

test('the opened-up squashed Gaussian gives the fused op\'s gradients for mu and log_std, and holds together', () => {
  const c = fixture.cases[0]!, { checkpoint, batch } = caseFiles(c);
  const t = traceUpdate(referenceKernels, checkpoint, batch, caseOptions(c));
  const v = (n: string) => traceNode(t, n).value, d = (n: string) => traceNode(t, n).grad!;
  // openSquash's dMu and dLogStd (float64, PyTorch's graph) against the tape's (the fused kernel).
  const mu = traceNode(t, 'mu'), ls = traceNode(t, 'log_std');
  assert.ok(mu.grad && ls.grad);
  const n = t.batchSize * t.sizes.actDim, dMu: number[] = [], dLogStd: number[] = [];
  for (let i = 0; i < n; i++) {
    const diff = v('u')[i]! - v('mu')[i]!, std = v('std')[i]!;
    // mu is the Gaussian's loc as well as part of u: d mu = du + dgauss (u - mu) / std^2.
    dMu.push(d('u')[i]! + d('log_prob_gauss')[i]! * diff / (std * std));
    dLogStd.push(v('clamp_active')[i] ? 0 : d('std')[i]! * std);
  }
  assertClose(dMu, mu.grad, { rtol: 1e-5, atol: 1e-7, label: 'd mu' });
  assertClose(dLogStd, ls.grad, { rtol: 1e-5, atol: 1e-7, label: 'd log_std' });
  // logp_pi is the sum of its parts; the action is act_limit tanh(u).
  for (let r = 0; r < t.batchSize; r++) {
    const gauss = rowOf(traceNode(t, 'log_prob_gauss'), r)!, corr = rowOf(traceNode(t, 'correction'), r)!;
    assertClose(v('logp_pi')[r]!, gauss.reduce((a, b) => a + b) - corr.reduce((a, b) => a + b), { rtol: 1e-5, atol: 1e-5, label: `logp_pi row ${r}` });
  }
  assertClose(v('pi_action'), Array.from(v('tanh_u'), (x) => c.act_limit * x), { rtol: 1e-6, atol: 1e-7, label: 'pi_action' });
  // A clamped entry passes no gradient to log_std, but its clamped value still gets one.
  const i = v('clamp_active').findIndex((x) => x === 1);
  assert.ok(i >= 0);
  assert.is(ls.grad[i], 0);
  assert.ok(d('log_std_clamped')[i] !== 0);
});

test('the naive correction is -inf and its float32 gradient NaN from |u| of about 9; the stable one stays finite', () => {
  for (const u of [-30, -25, -9.5, 9.5, 25, 30]) {
    assert.is(correctionNaiveF32(u), -Infinity, `naive at u = ${u}`);
    assert.ok(Number.isNaN(dCorrectionNaiveF32(u)), `naive gradient at u = ${u}`);
    assert.ok(Number.isFinite(correctionStable(u)) && Number.isFinite(dCorrectionStable(u)), `stable at u = ${u}`);
  }
  for (const u of [-3, -0.5, 0, 0.7, 2]) {
    assertClose(correctionNaiveF32(u), correctionStable(u), { rtol: 1e-5, atol: 1e-6, label: `naive = stable at ${u}` });
    assertClose(dCorrectionNaiveF32(u), dCorrectionStable(u), { rtol: 1e-5, atol: 1e-6, label: `d naive = d stable at ${u}` });
    // The stable derivative is the derivative: a central difference in float64.
    const h = 1e-5;
    assertClose(dCorrectionStable(u), (correctionStable(u + h) - correctionStable(u - h)) / (2 * h), { rtol: 1e-6, atol: 1e-8 });
  }
  assertClose(correctionStable(25), 2 * (Math.LN2 - 25), { rtol: 1e-12 });
});

test('summary statistics', () => {
  assert.equal(summary([1, 2, 3, 4]), { mean: 2.5, std: Math.sqrt(1.25), min: 1, max: 4 });
  assert.is(summary([1, -Infinity]).min, -Infinity);
});

const expectInputError = (fn: () => unknown, input: 'checkpoint' | 'batch', re: RegExp) => {
  try {
    fn();
  } catch (e) {
    assert.instance(e, TraceInputError);
    assert.is((e as TraceInputError).input, input);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected a TraceInputError matching ${re}`);
};

test('a checkpoint or batch that does not fit is named: tensor, expected and received', () => {
  const c = fixture.cases[0]!, { checkpoint, batch } = caseFiles(c);
  const without = (m: Map<string, NamedTensor>, name: string) => new Map([...m].filter(([n]) => n !== name));
  const withT = (m: Map<string, NamedTensor>, name: string, t: NamedTensor) => new Map([...m, [name, t]]);
  const k = referenceKernels;
  expectInputError(() => traceUpdate(k, without(checkpoint, 'pi.mu_layer.weight'), batch), 'checkpoint', /no 'pi.mu_layer.weight'/);
  expectInputError(() => traceUpdate(k, without(checkpoint, 'targ.q2.q.4.bias'), batch), 'checkpoint', /missing 'targ.q2.q.4.bias'.*target copy too/);
  expectInputError(() => traceUpdate(k, withT(checkpoint, 'q1.q.2.weight', { shape: [7, 4], data: new Float32Array(28) }), batch),
    'checkpoint', /'q1.q.2.weight' has shape \[7, 4\], expected \[7, 5\]/);
  const nan = new Float32Array(checkpoint.get('pi.net.0.bias')!.data);
  nan[1] = NaN;
  expectInputError(() => traceUpdate(k, withT(checkpoint, 'pi.net.0.bias', { shape: [5], data: nan }), batch), 'checkpoint', /'pi.net.0.bias' holds NaN at flat index 1/);
  expectInputError(() => traceUpdate(k, checkpoint, without(batch, 'noise_targ')), 'batch', /no tensor 'noise_targ'/);
  expectInputError(() => traceUpdate(k, checkpoint, withT(batch, 'obs', { shape: [6, 4], data: new Float32Array(24) })), 'batch',
    /'obs' has shape \[6, 4\], expected \[6, 3\]; the checkpoint's networks read obs_dim 3/);
  expectInputError(() => traceUpdate(k, checkpoint, withT(batch, 'noise_pi', { shape: [6, 3], data: new Float32Array(18) })), 'batch',
    /'noise_pi' has shape \[6, 3\], expected \[6, 2\]; the checkpoint's networks read act_dim 2/);
  expectInputError(() => traceUpdate(k, checkpoint, withT(batch, 'rew', { shape: [5], data: new Float32Array(5) })), 'batch',
    /'rew' has shape \[5\], expected \[6\]; 'obs' says the batch has B = 6 rows/);
  assert.throws(() => traceUpdate(k, checkpoint, batch, { gamma: 1.5 }), /traceUpdate: option 'gamma' must be a number in \[0, 1\], got 1.5/);
});

test.run();
