/**
 * softac trace against PyTorch: Spinning Up's compute_loss_q and compute_loss_pi, run in
 * PyTorch by test/fixtures/make_trace_fixture.py on two checkpoints and batches (clamped
 * log_std above and below, |u| of 25, a terminal row). loss_q, loss_pi, every parameter's
 * gradient and every node's value and gradient (PyTorch's retain_grad) must match within
 * 1e-5 relative and 1e-6 absolute, on every backend.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { traceNode, traceUpdate } from '../../src/trace/trace.js';
import { assertClose } from '../helpers/assert.js';
import { kernelBackends } from '../helpers/backends.js';
import { caseFiles, caseOptions, fixture, numbers } from './helpers.js';

const tol = { rtol: 1e-5, atol: 1e-6 };

for (const c of fixture.cases) {
  const files = caseFiles(c);
  for (const be of kernelBackends()) {
    test(`trace '${c.name}': losses, parameter gradients and every node match PyTorch (${be.label})`, () => {
      be.setup();
      const t = traceUpdate(be.kernels, files.checkpoint, files.batch, caseOptions(c));
      assertClose(t.lossQ, c.loss_q, { ...tol, label: 'loss_q' });
      assertClose(t.lossPi, c.loss_pi, { ...tol, label: 'loss_pi' });
      assert.equal([...t.grads.keys()].sort(), Object.keys(c.grads).sort(), 'a gradient for every online parameter, pi.*, q1.*, q2.*');
      for (const [name, want] of Object.entries(c.grads)) {
        assert.equal(t.grads.get(name)!.shape, want.shape, `${name} shape`);
        assertClose(t.grads.get(name)!.data, numbers(want), { ...tol, label: `d loss / d ${name}` });
      }
      for (const [name, want] of Object.entries(c.nodes)) {
        const n = traceNode(t, name);
        assert.equal(n.shape, want.value.shape, `${name} shape`);
        // The naive float32 correction cancels catastrophically near |u| of 9, where one
        // float32 rounding of tanh(u) moves it by 1e-5 relative; its -inf must agree exactly.
        const vtol = name === 'correction_naive_f32' ? { rtol: 1e-4, atol: 1e-6 } : tol;
        assertClose(n.value, numbers(want.value), { ...vtol, label: `${name} value` });
        if (want.grad === null) assert.is(n.grad, null, `${name} has no gradient in PyTorch either`);
        else assertClose(n.grad!, numbers(want.grad), { ...tol, label: `d loss / d ${name}` });
      }
    });
  }
}

test('the fixture covers the traps: clamps above and below, |u| of 25 with a -inf naive correction, a terminal row', () => {
  for (const c of fixture.cases) {
    const ls = numbers(c.nodes.log_std!.value), u = numbers(c.nodes.u!.value);
    assert.ok(ls.some((x) => x > 2) && ls.some((x) => x < -20), `${c.name}: log_std clamped above and below`);
    assert.ok(u.some((x) => Math.abs(x) >= 24), `${c.name}: |u| of about 25`);
    assert.ok(numbers(c.nodes.correction_naive_f32!.value).includes(-Infinity), `${c.name}: the naive correction is -inf somewhere`);
    assert.ok(numbers(c.nodes.d!.value).includes(1), `${c.name}: a terminal row`);
  }
  const [a, b] = fixture.cases;
  assert.ok(a!.nodes.torso!.value.shape[1] !== b!.nodes.torso!.value.shape[1] && a!.nodes.mu!.value.shape[1] !== b!.nodes.mu!.value.shape[1],
    'the two sizes differ in the hidden and action sizes');
});

test.run();
