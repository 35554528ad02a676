/**
 * The autograd benchmark (`softac bench autograd`): forward + backward of a Q-network-sized
 * MLP (in 23 = HalfCheetah's obs 17 + act 6, hidden 256-256, out 1) at batch 256 with an
 * MSE loss, per second, on every backend; and the tape's overhead: the same step written
 * as direct kernel calls, against the Tensor/Tape version.
 */
import { mse, squeeze, Tape, Tensor } from '../src/autograd/index.js';
import * as is from '../src/check/is.js';
import { tryLoadNative } from '../src/kernels/index.js';
import type { Kernels } from '../src/kernels/index.js';
import { MLP, mlpSpecs, ParameterSet, Rng } from '../src/nn/index.js';
import { type BenchRow, restoringSelection, medianMs, randomArray, selectTarget, targets } from './common.js';

export interface AutogradBenchOptions {
  timeMs: number;
  threads: number[];
  onRow(row: BenchRow): void;
}

const SIZES = [23, 256, 256, 1];
const BATCH = 256;

/** One MLP training step (zero grads, forward, loss, backward) two ways on the same state. */
function makeSteps(k: Kernels) {
  const params = new ParameterSet(mlpSpecs('q', SIZES));
  const net = new MLP(params, 'q', SIZES);
  net.init(new Rng(0));
  const x = new Tensor(randomArray(BATCH * SIZES[0]!, 1), [BATCH, SIZES[0]!]);
  const y = new Tensor(randomArray(BATCH, 2), [BATCH]);
  const g = new Tape(k);
  const viaTape = () => {
    params.zeroGrad(k);
    const loss = mse(g, squeeze(g, net.forward(g, x)), y);
    g.backward(loss);
    g.reset();
  };

  // The same arithmetic as direct kernel calls into preallocated buffers.
  const L = net.layers;
  const [I, H1, H2] = SIZES as [number, number, number, number];
  const h1 = new Float32Array(BATCH * H1), h2 = new Float32Array(BATCH * H2), q = new Float32Array(BATCH);
  const diff = new Float32Array(BATCH), sq = new Float32Array(BATCH), dq = new Float32Array(BATCH);
  const dh2 = new Float32Array(BATCH * H2), dh1 = new Float32Array(BATCH * H1);
  const dp2 = new Float32Array(BATCH * H2), dp1 = new Float32Array(BATCH * H1);
  const w = (j: number) => L[j]!.weight, b = (j: number) => L[j]!.bias;
  const direct = () => {
    k.fill(params.grad, 0);
    k.linearForward(h1, x.data, w(0).data, b(0).data, BATCH, I, H1, true);
    k.linearForward(h2, h1, w(1).data, b(1).data, BATCH, H1, H2, true);
    k.linearForward(q, h2, w(2).data, b(2).data, BATCH, H2, 1, false);
    k.scale(diff, y.data, -1);
    k.add(diff, diff, q);
    k.mul(sq, diff, diff);
    k.mean(sq);
    k.scale(dq, diff, 2 / BATCH); // d mean((q - y)^2) / dq
    k.fill(dh2, 0);
    k.linearBackward(dh2, w(2).grad!, b(2).grad!, dq, h2, w(2).data, BATCH, H2, 1);
    k.fill(dp2, 0);
    k.reluBackward(dp2, dh2, h2);
    k.fill(dh1, 0);
    k.linearBackward(dh1, w(1).grad!, b(1).grad!, dp2, h1, w(1).data, BATCH, H1, H2);
    k.fill(dp1, 0);
    k.reluBackward(dp1, dh1, h1);
    k.linearBackward(null, w(0).grad!, b(0).grad!, dp1, x.data, w(0).data, BATCH, I, H1);
  };
  return { viaTape, direct };
}

export async function benchAutograd(opts: AutogradBenchOptions): Promise<BenchRow[]> {
  is.plainObject('benchAutograd: options', opts);
  is.knownKeys('benchAutograd', opts, ['timeMs', 'threads', 'onRow']);
  is.finite("benchAutograd: option 'timeMs'", opts.timeMs, 0);
  is.func("benchAutograd: option 'onRow'", opts.onRow);
  const native = tryLoadNative();
  return restoringSelection(native, async () => {
    const rows: BenchRow[] = [];
    const shape = `${SIZES.join('-')} B${BATCH}`;
    for (const t of targets(native, opts.threads)) {
      selectTarget(native, t);
      const { viaTape, direct } = makeSteps(t.kernels);
      // Interleaved rounds, the best median of each: the two differ by a few percent, less
      // than a busy machine's drift over one long measurement.
      let tapeMs = Infinity, directMs = Infinity;
      for (let round = 0; round < 5; round++) {
        tapeMs = Math.min(tapeMs, await medianMs(viaTape, opts.timeMs / 5));
        directMs = Math.min(directMs, await medianMs(direct, opts.timeMs / 5));
      }
      const base = { shape, path: t.path, threads: t.threads };
      for (const r of [
        { kernel: 'mlp_fwd_bwd', ...base, steps_per_s: 1000 / tapeMs, median_ms: tapeMs },
        { kernel: 'tape_overhead', ...base, steps_per_s: 1000 / tapeMs, median_ms: tapeMs, direct_ms: directMs,
          overhead_fraction: (tapeMs - directMs) / tapeMs },
      ] as BenchRow[]) {
        rows.push(r);
        opts.onRow(r);
      }
    }
    return rows;
  });
}
