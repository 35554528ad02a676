/**
 * A trained policy without optimizers, targets or buffer: the actor of a saved state dict
 * (PyTorch's or softac's names), for acting and evaluation.
 */
import { Tape } from '../autograd/index.js';
import { getKernels, type Kernels } from '../kernels/index.js';
import { loadSafetensors, type NamedTensor } from '../io/safetensors.js';
import { ParameterSet } from '../nn/params.js';
import { Rng } from '../nn/rng.js';
import { type ActorCriticSizes, actOnce, actorSizesFromShapes, actorSpecs, SquashedGaussianMLPActor } from './core.js';
import type { ActionBounds } from './sac.js';

export class Policy {
  private readonly tape: Tape;
  private readonly rng: Rng;

  private constructor(readonly sizes: ActorCriticSizes, readonly params: ParameterSet, readonly actor: SquashedGaussianMLPActor,
    k: Kernels, seed: number) {
    this.tape = new Tape(k);
    this.rng = new Rng(seed);
  }

  /** The actor (pi.*) of a state dict; the action bounds must fit its act_dim. */
  static fromStateDict(tensors: ReadonlyMap<string, NamedTensor>, bounds: ActionBounds, k: Kernels = getKernels(), seed = 0): Policy {
    const sizes = actorSizesFromShapes(new Map([...tensors].map(([n, t]) => [n, t.shape])));
    if (bounds.low.length !== sizes.actDim)
      throw new RangeError(`policy: the model acts in ${sizes.actDim} dimensions, the environment's action space has ${bounds.low.length}`);
    const params = new ParameterSet(actorSpecs(sizes));
    params.load(tensors);
    const actor = new SquashedGaussianMLPActor(params, '', sizes, bounds.low, bounds.high);
    return new Policy(sizes, params, actor, k, seed);
  }

  static load(path: string, bounds: ActionBounds, k: Kernels = getKernels(), seed = 0): Policy {
    return Policy.fromStateDict(loadSafetensors(path).tensors, bounds, k, seed);
  }

  /** The action for one observation: scale tanh(mu) + shift, or a sample when not deterministic. */
  act(obs: ArrayLike<number>, deterministic = true): Float32Array {
    return actOnce(this.tape, this.actor, this.sizes.obsDim, this.sizes.actDim, obs, deterministic ? null : this.rng);
  }
}
