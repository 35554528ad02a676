/** The actor-critic networks: Spinning Up's state-dict names and shapes, bounds, determinism. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Tape, Tensor } from '../../src/autograd/index.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { ParameterSet, Rng } from '../../src/nn/index.js';
import { actorCriticSpecs, MLPActorCritic } from '../../src/sac/core.js';
import { assertClose } from '../helpers/assert.js';

const sizes = { obsDim: 3, actDim: 2, hidden: [256, 256] };

test('parameter names and shapes are those of Spinning Up\'s MLPActorCritic (PyTorch layout)', () => {
  const specs = actorCriticSpecs(sizes).map((s) => `${s.name} [${s.shape.join(',')}]`);
  assert.equal(specs, [
    'pi.net.0.weight [256,3]', 'pi.net.0.bias [256]', 'pi.net.2.weight [256,256]', 'pi.net.2.bias [256]',
    'pi.mu_layer.weight [2,256]', 'pi.mu_layer.bias [2]', 'pi.log_std_layer.weight [2,256]', 'pi.log_std_layer.bias [2]',
    'q1.q.0.weight [256,5]', 'q1.q.0.bias [256]', 'q1.q.2.weight [256,256]', 'q1.q.2.bias [256]', 'q1.q.4.weight [1,256]', 'q1.q.4.bias [1]',
    'q2.q.0.weight [256,5]', 'q2.q.0.bias [256]', 'q2.q.2.weight [256,256]', 'q2.q.2.bias [256]', 'q2.q.4.weight [1,256]', 'q2.q.4.bias [1]',
  ]);
  assert.ok(actorCriticSpecs(sizes, 'targ.').every((s) => s.name.startsWith('targ.')));
});

test('actions respect per-dimension bounds; the deterministic action is scale tanh(mu) + shift; Q is [B]', () => {
  const params = new ParameterSet(actorCriticSpecs(sizes));
  const low = [-1, 0], high = [3, 0.5];
  const ac = new MLPActorCritic(params, '', sizes, low, high);
  ac.init(new Rng(1));
  const g = new Tape(referenceKernels);
  const B = 5, rng = new Rng(2);
  const obs = new Tensor(rng.fillNormal(new Float32Array(B * 3)), [B, 3]);
  const eps = new Tensor(rng.fillNormal(new Float32Array(B * 2)).map((v) => v * 30), [B, 2]);
  const { a, logp } = ac.pi.forward(g, obs, eps);
  assert.equal(a.shape, [B, 2]);
  assert.equal(logp!.shape, [B]);
  for (let i = 0; i < B; i++)
    for (let j = 0; j < 2; j++) assert.ok(a.data[i * 2 + j]! >= low[j]! && a.data[i * 2 + j]! <= high[j]!, `a[${i},${j}] = ${a.data[i * 2 + j]}`);
  const det = ac.pi.forward(g, obs, null, false);
  assert.is(det.logp, null);
  const h = ac.pi.net.forward(g, obs);
  const mu = ac.pi.muLayer.forward(g, h);
  const want = Array.from(mu.data, (m, i) => ((high[i % 2]! - low[i % 2]!) / 2) * Math.tanh(m) + (high[i % 2]! + low[i % 2]!) / 2);
  assertClose(det.a.data, want, { rtol: 1e-5, atol: 1e-6 });
  const q = ac.q1.forward(g, obs, a);
  assert.equal(q.shape, [B]);
  assert.ok(q.data.every(Number.isFinite));
});

test('bad action bounds are refused, naming the dimension', () => {
  const params = new ParameterSet(actorCriticSpecs(sizes));
  assert.throws(() => new MLPActorCritic(params, '', sizes, [-1], [1]), /act_dim = 2 entries, got 1 and 1/);
  assert.throws(() => new MLPActorCritic(params, '', sizes, [-1, 1], [1, 1]), /action bound 1 must be finite with low < high, got \[1, 1\]/);
});

test.run();
