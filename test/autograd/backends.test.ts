/**
 * The same graph on every backend: a policy-loss-shaped graph (actor MLP, squashed
 * Gaussian, two Q MLPs on concat(obs, act), their minimum, alpha * logp) gives the same
 * loss and gradients on the native paths as on the TypeScript reference, within float32
 * tolerance.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import * as ag from '../../src/autograd/index.js';
import { Tape, Tensor } from '../../src/autograd/index.js';
import { MLP, mlpSpecs, ParameterSet, Rng } from '../../src/nn/index.js';
import { assertClose } from '../helpers/assert.js';
import { kernelBackends } from '../helpers/backends.js';

const B = 17, OBS = 3, ACT = 2, H = 32;

function run(k: ReturnType<typeof kernelBackends>[number]['kernels']) {
  const specs = [...mlpSpecs('pi.net', [OBS, H, H]), ...mlpSpecs('pi.mu', [H, ACT]), ...mlpSpecs('pi.ls', [H, ACT]),
    ...mlpSpecs('q1', [OBS + ACT, H, H, 1]), ...mlpSpecs('q2', [OBS + ACT, H, H, 1])];
  const params = new ParameterSet(specs);
  const rng = new Rng(5);
  const nets = {
    torso: new MLP(params, 'pi.net', [OBS, H, H], 'relu', 'relu'),
    mu: new MLP(params, 'pi.mu', [H, ACT]), ls: new MLP(params, 'pi.ls', [H, ACT]),
    q1: new MLP(params, 'q1', [OBS + ACT, H, H, 1]), q2: new MLP(params, 'q2', [OBS + ACT, H, H, 1]),
  };
  for (const n of Object.values(nets)) n.init(rng);
  const obs = new Tensor(rng.fillNormal(new Float32Array(B * OBS)), [B, OBS]);
  const eps = new Tensor(rng.fillNormal(new Float32Array(B * ACT)), [B, ACT]);
  const g = new Tape(k);
  const h = nets.torso.forward(g, obs);
  const { a, logp } = ag.squashedGaussian(g, nets.mu.forward(g, h), nets.ls.forward(g, h), eps,
    Float32Array.of(2, 1), Float32Array.of(0, 0.5));
  const qIn = ag.concat(g, [obs, a]);
  const q = ag.minimum(g, ag.squeeze(g, nets.q1.forward(g, qIn)), ag.squeeze(g, nets.q2.forward(g, qIn)));
  const loss = ag.mean(g, ag.sub(g, ag.mul(g, logp!, 0.2), q));
  g.backward(loss);
  return { loss: loss.item(), grad: params.grad.slice(), a: a.data.slice() };
}

const results = kernelBackends().map((be) => {
  be.setup();
  return { label: be.label, ...run(be.kernels) };
});
const ref = results[0]!;

for (const r of results.slice(1)) {
  test(`a policy-loss graph: ${r.label} matches the TypeScript reference`, () => {
    assertClose(r.loss, ref.loss, { rtol: 1e-5, atol: 1e-6, label: 'loss' });
    assertClose(r.a, ref.a, { rtol: 1e-5, atol: 1e-6, label: 'action' });
    const scale = Math.max(...ref.grad.map(Math.abs));
    assertClose(r.grad, ref.grad, { rtol: 1e-4, atol: 1e-5 * scale, label: 'parameter gradients' });
  });
}

test('the reference graph has gradients everywhere it should', () => {
  assert.ok(Number.isFinite(ref.loss));
  assert.ok(ref.grad.some((v) => v !== 0));
});

test.run();
