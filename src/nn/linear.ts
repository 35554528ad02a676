/** nn.Linear with PyTorch's layout (weight [out, in], bias [out]) and default initialisation. */
import { linear, type Tape, type Tensor } from '../autograd/index.js';
import type { ParameterSet, ParamSpec } from './params.js';
import type { Rng } from './rng.js';

export function linearSpecs(prefix: string, inFeatures: number, outFeatures: number): ParamSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [outFeatures, inFeatures] },
    { name: `${prefix}.bias`, shape: [outFeatures] },
  ];
}

export class Linear {
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(params: ParameterSet, readonly prefix: string) {
    this.weight = params.get(`${prefix}.weight`);
    this.bias = params.get(`${prefix}.bias`);
  }

  get inFeatures(): number {
    return this.weight.shape[1]!;
  }

  get outFeatures(): number {
    return this.weight.shape[0]!;
  }

  /**
   * PyTorch's reset_parameters: kaiming_uniform_(a=sqrt(5)) for the weight, which works out
   * to U(-1/sqrt(in), 1/sqrt(in)), and the same bound for the bias.
   */
  init(rng: Rng): void {
    const bound = 1 / Math.sqrt(this.inFeatures);
    for (const t of [this.weight, this.bias])
      for (let i = 0; i < t.size; i++) t.data[i] = rng.uniformIn(-bound, bound);
  }

  forward(g: Tape, x: Tensor, relu = false): Tensor {
    return linear(g, x, this.weight, this.bias, relu);
  }
}
