/**
 * A Tensor: a flat Float32Array, a shape, and (once backward has run) a gradient of the same
 * size. Leaves (parameters, inputs) are made with `new Tensor(...)`; every other tensor is
 * the output of an op recorded on a Tape.
 */
export class Tensor {
  /** d(loss)/d(this), filled by Tape.backward; null until then (or when not needed). */
  grad: Float32Array | null = null;

  /**
   * @param data the values, row-major; its length must be the product of `shape`.
   * @param requiresGrad whether backward should compute this tensor's gradient. A frozen
   *   parameter (Q during the policy step) sets it to false.
   */
  constructor(
    readonly data: Float32Array,
    readonly shape: readonly number[],
    public requiresGrad = false,
    public name = '',
  ) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0))
      throw new RangeError(`Tensor: shape must be non-negative integers, got [${shape.join(', ')}]`);
    if (size !== data.length)
      throw new RangeError(`Tensor${name ? ` '${name}'` : ''}: shape [${shape.join(', ')}] needs ${size} elements, data has ${data.length}`);
  }

  get size(): number {
    return this.data.length;
  }

  /** The single value of a one-element tensor (a loss, say). */
  item(): number {
    if (this.size !== 1) throw new RangeError(`item(): tensor of shape [${this.shape.join(', ')}] has ${this.size} elements, not 1`);
    return this.data[0]!;
  }
}

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
