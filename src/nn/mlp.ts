/**
 * Spinning Up's `mlp(sizes, activation, output_activation)`: Linear layers with an
 * activation after each, numbered as in nn.Sequential (Linear j is module 2j), so the
 * parameter names are `<prefix>.0.weight`, `<prefix>.2.weight`, ...
 */
import { mlpRelu, tanh, type Tape, type Tensor } from '../autograd/index.js';
import { Linear, linearSpecs } from './linear.js';
import type { ParameterSet, ParamSpec } from './params.js';
import type { Rng } from './rng.js';

export type Activation = 'relu' | 'tanh' | 'identity';

export function mlpSpecs(prefix: string, sizes: readonly number[]): ParamSpec[] {
  if (sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s >= 1))
    throw new RangeError(`mlp: sizes must be at least two positive integers, got [${sizes.join(', ')}]`);
  return sizes.slice(0, -1).flatMap((n, j) => linearSpecs(`${prefix}.${2 * j}`, n, sizes[j + 1]!));
}

export class MLP {
  readonly layers: Linear[];

  constructor(params: ParameterSet, prefix: string, sizes: readonly number[],
    readonly activation: Activation = 'relu', readonly outputActivation: Activation = 'identity') {
    this.layers = sizes.slice(0, -1).map((_, j) => new Linear(params, `${prefix}.${2 * j}`));
  }

  init(rng: Rng): void {
    for (const l of this.layers) l.init(rng);
  }

  forward(g: Tape, x: Tensor): Tensor {
    // ReLU and identity stacks run as one op whose backward folds each hidden ReLU into the
    // next layer's input gradient (same values and gradients, fewer passes over memory).
    if (this.activation !== 'tanh' && this.outputActivation !== 'tanh')
      return mlpRelu(g, x, this.layers, this.activation === 'relu', this.outputActivation === 'relu');
    let h = x;
    this.layers.forEach((layer, j) => {
      const act = j === this.layers.length - 1 ? this.outputActivation : this.activation;
      h = layer.forward(g, h, act === 'relu'); // ReLU is fused into the GEMM's epilogue
      if (act === 'tanh') h = tanh(g, h);
    });
    return h;
  }
}
