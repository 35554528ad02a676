/** The autograd layer: Tensor, Tape, and the differentiable ops (each forward beside its backward). */
export { Tensor, shapeStr } from './tensor.js';
export { Tape } from './tape.js';
export type { Captured, FloatArrayKind, TapeOptions } from './tape.js';
export { Plan } from './plan.js';
export { arenaAllocations } from './arena.js';
export { linear, mlpRelu } from './ops/linear.js';
export type { LinearParams } from './ops/linear.js';
export { clamp, exp, log, relu, softplus, square, tanh } from './ops/unary.js';
export { add, div, minimum, mul, sub } from './ops/binary.js';
export { mean, mse, sum } from './ops/reduce.js';
export type { Axis } from './ops/reduce.js';
export { concat, squeeze } from './ops/shape.js';
export { squashedGaussian } from './ops/squash.js';
export type { SquashedSample } from './ops/squash.js';
