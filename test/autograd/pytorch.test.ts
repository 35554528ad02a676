/**
 * softac against PyTorch: one MLP and one squashed Gaussian, forward and backward, on the
 * fixed inputs of test/fixtures/autograd.json (made by make_autograd_fixture.py with
 * PyTorch). Every value and gradient must match to about 1e-5 relative, on every backend.
 */
import { readFileSync } from 'node:fs';

import { test } from 'uvu';

import { add, mul, squashedGaussian, sum, Tape, Tensor } from '../../src/autograd/index.js';
import { MLP, mlpSpecs, ParameterSet } from '../../src/nn/index.js';
import { assertClose } from '../helpers/assert.js';
import { kernelBackends } from '../helpers/backends.js';

interface Entry { shape: number[]; data: number[] }
const fixture = JSON.parse(readFileSync(new URL('../../../test/fixtures/autograd.json', import.meta.url), 'utf8'));
const f32 = (e: Entry) => Float32Array.from(e.data);
const leaf = (e: Entry, requiresGrad = false) => new Tensor(f32(e), e.shape, requiresGrad);
// 1e-5 relative, with an absolute floor of 1e-5 of the tensor's largest magnitude (for
// entries that are near zero through cancellation).
const tol = (e: Entry) => ({ rtol: 1e-5, atol: 1e-5 * Math.max(...e.data.map(Math.abs), 1e-3) });

for (const be of kernelBackends()) {
  test(`MLP forward and backward match PyTorch (${be.label})`, () => {
    be.setup();
    const m = fixture.mlp;
    const params = new ParameterSet(mlpSpecs('net', m.sizes));
    params.load(new Map(Object.entries(m.params).map(([k, v]) => [k, { shape: (v as Entry).shape, data: f32(v as Entry) }])));
    const net = new MLP(params, 'net', m.sizes, 'relu', 'identity');
    const g = new Tape(be.kernels);
    const x = leaf(m.x, true);
    const out = net.forward(g, x);
    const loss = sum(g, mul(g, out, leaf(m.w)));
    assertClose(out.data, m.out.data, { ...tol(m.out), label: 'out' });
    assertClose(loss.item(), m.loss, { rtol: 1e-5, label: 'loss' });
    g.backward(loss);
    for (const name of params.names) {
      const want = m.grad_params[name] as Entry;
      assertClose(params.get(name).grad!, want.data, { ...tol(want), label: `d loss / d ${name}` });
    }
    assertClose(x.grad!, m.grad_x.data, { ...tol(m.grad_x), label: 'd loss / d x' });
  });

  test(`squashed Gaussian forward and backward match PyTorch, clamp and |u| ~ 25 included (${be.label})`, () => {
    be.setup();
    const s = fixture.squash;
    const A = s.mu.shape[1];
    const g = new Tape(be.kernels);
    const mu = leaf(s.mu, true), logStd = leaf(s.log_std, true);
    const { a, logp } = squashedGaussian(g, mu, logStd, leaf(s.eps), new Float32Array(A).fill(s.act_limit), new Float32Array(A));
    assertClose(a.data, s.a.data, { ...tol(s.a), label: 'a' });
    assertClose(logp!.data, s.logp.data, { ...tol(s.logp), label: 'logp' });
    const loss = add(g, sum(g, mul(g, a, leaf(s.wa))), sum(g, mul(g, logp!, leaf(s.wl))));
    assertClose(loss.item(), s.loss, { rtol: 1e-5, label: 'loss' });
    g.backward(loss);
    assertClose(mu.grad!, s.grad_mu.data, { ...tol(s.grad_mu), label: 'd loss / d mu' });
    assertClose(logStd.grad!, s.grad_log_std.data, { ...tol(s.grad_log_std), label: 'd loss / d log_std' });
  });
}

test.run();
