/**
 * `softac trace`: one SAC update on a checkpoint and a batch, node by node, each with its
 * value and its gradient (text, --json, --html), plus every parameter's gradient
 * (--grads-out); `softac trace --example DIR` writes a checkpoint and batch to try it on.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { writeFileAtomic } from '../io/atomic.js';
import { loadSafetensors, type NamedTensor, saveSafetensors } from '../io/safetensors.js';
import { getKernels, type BackendChoice } from '../kernels/index.js';
import { ParameterSet } from '../nn/params.js';
import { Rng } from '../nn/rng.js';
import { actorCriticSpecs, MLPActorCritic } from '../sac/core.js';
import { explainRow, fmt, fmtVec } from '../trace/explain.js';
import { gradNorms, noGradReason, rowOf, summary, type Trace, TraceInputError, type TraceNode, traceDefaults, traceUpdate } from '../trace/trace.js';
import { traceHtml } from '../trace/html.js';
import { backendFlag, UsageError } from './usage.js';

export const traceUsage = `usage: softac trace --checkpoint FILE --batch FILE [options]
       softac trace --example DIR

  --checkpoint FILE   a state dict (pi.*, q1.*, q2.*) with its target copy under targ.*;
                      the sizes are read from its shapes
  --batch FILE        obs, act, rew, obs2, done, noise_pi, noise_targ (safetensors, F32)
  --alpha A           the entropy coefficient [${traceDefaults.alpha}]
  --gamma G           the discount [${traceDefaults.gamma}]
  --act-limit L       actions are L * tanh(u) [${traceDefaults.actLimit}]
  --rows 0,1          the batch rows to show node by node [0]
  --explain           a plain-words sentence beside each node, with the row's numbers
  --json              print one JSON document instead of the text
  --grads-out FILE    write every parameter's gradient (safetensors, state-dict names)
  --html FILE         write a self-contained page: the graph of the squashed Gaussian and
                      plots of the tanh correction, stable against naive float32
  --backend B         js, native, wasm or auto [$SOFTAC_BACKEND, else auto]
  --example DIR       write DIR/checkpoint.safetensors and DIR/batch.safetensors (random
                      networks) and print the command that traces them
`;

function numberFlag(flag: string, raw: string | undefined, fallback: number, ok: (x: number) => boolean, expected: string): number {
  if (raw === undefined) return fallback;
  const x = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(x) || !ok(x)) throw new UsageError(`${flag} must be ${expected}, got '${raw}'`);
  return x;
}

/** --rows: distinct row indices of the batch, in the order given. */
export function parseRows(raw: string, batchSize: number): number[] {
  const rows = raw.split(',').map((x) => x.trim());
  if (!rows.every((x) => /^\d+$/.test(x))) throw new UsageError(`--rows must be a comma-separated list of row indices like 0,1, got '${raw}'`);
  const out = [...new Set(rows.map(Number))];
  const bad = out.find((r) => r >= batchSize);
  if (bad !== undefined) throw new UsageError(`--rows: row ${bad} is out of range; the batch has ${batchSize} rows (0 to ${batchSize - 1})`);
  return out;
}

function loadFile(flag: 'checkpoint' | 'batch', path: string): Map<string, NamedTensor> {
  try {
    return loadSafetensors(path).tensors;
  } catch (e) {
    throw new Error(`--${flag} ${path}: ${(e as Error).message.replace(/^safetensors \S+: /, 'not a readable safetensors file: ')}`);
  }
}

function writeOutput(flag: string, path: string, write: () => void): void {
  try {
    write();
  } catch (e) {
    throw new Error(`${flag} ${path}: cannot write the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export async function traceCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      checkpoint: { type: 'string' }, batch: { type: 'string' }, alpha: { type: 'string' }, gamma: { type: 'string' },
      'act-limit': { type: 'string' }, rows: { type: 'string', default: '0' }, json: { type: 'boolean', default: false },
      'grads-out': { type: 'string' }, html: { type: 'string' }, explain: { type: 'boolean', default: false },
      backend: { type: 'string' }, example: { type: 'string' }, help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(traceUsage);
    return;
  }
  if (positionals.length) throw new UsageError(`trace: unexpected argument '${positionals[0]}'`);
  if (values.example !== undefined) {
    const others = argv.filter((a) => a.startsWith('--') && !a.startsWith('--example'));
    if (others.length) throw new UsageError(`trace: --example DIR only writes the example files; give it alone, not with ${others[0]}`);
    writeTraceExample(values.example);
    return;
  }
  if (!values.checkpoint) throw new UsageError('trace: --checkpoint FILE is required (or --example DIR to make one)');
  if (!values.batch) throw new UsageError('trace: --batch FILE is required (or --example DIR to make one)');
  const alpha = numberFlag('--alpha', values.alpha, traceDefaults.alpha, (x) => x >= 0, 'a number >= 0');
  const gamma = numberFlag('--gamma', values.gamma, traceDefaults.gamma, (x) => x >= 0 && x <= 1, 'a number from 0 to 1');
  const actLimit = numberFlag('--act-limit', values['act-limit'], traceDefaults.actLimit, (x) => x > 0, 'a number > 0');
  backendFlag(values.backend);
  parseRows(values.rows!, Infinity); // the syntax now, the range once the batch is read
  const k = getKernels(values.backend as BackendChoice | undefined);
  const checkpoint = loadFile('checkpoint', values.checkpoint), batch = loadFile('batch', values.batch);
  let trace: Trace;
  try {
    trace = traceUpdate(k, checkpoint, batch, { alpha, gamma, actLimit });
  } catch (e) {
    if (e instanceof TraceInputError) throw new Error(`--${e.input} ${e.input === 'checkpoint' ? values.checkpoint : values.batch}: ${e.message}`);
    throw e;
  }
  const rows = parseRows(values.rows!, trace.batchSize);
  if (values['grads-out']) writeOutput('--grads-out', values['grads-out'], () => saveSafetensors(values['grads-out']!, trace.grads, { format: 'pt' }));
  if (values.html) {
    const page = traceHtml(trace, rows, values.explain!);
    writeOutput('--html', values.html, () => writeFileAtomic(values.html!, page));
  }
  if (values.json) {
    console.log(JSON.stringify(traceJson(trace, rows)));
    return;
  }
  const info = k.info();
  process.stdout.write(traceText(trace, rows, values.explain!, `${info.backend}${info.backend === 'native' ? ` ${info.path}` : ''}`));
  if (values['grads-out']) console.log(`\nparameter gradients written to ${values['grads-out']}`);
  if (values.html) console.log(`${values['grads-out'] ? '' : '\n'}the page is ${values.html}`);
}

/** JSON has no infinities or NaN: those are written as the strings "-Infinity", "Infinity", "NaN". */
const jsonNum = (x: number): number | string => (Number.isFinite(x) ? x : String(x));

type JsonValue = number | string | { rows: Record<string, number | string | (number | string)[]>; mean: number | string; std: number | string; min: number | string; max: number | string };

function jsonValue(n: TraceNode, data: Float64Array, rows: readonly number[], which: 'value' | 'grad'): JsonValue {
  if (n.shape.length === 0) return jsonNum(data[0]!);
  const perRow = n.shape.length > 1;
  const s = summary(data);
  return {
    rows: Object.fromEntries(rows.map((r) => {
      const v = rowOf(n, r, which)!.map(jsonNum);
      return [String(r), perRow ? v : v[0]!];
    })),
    mean: jsonNum(s.mean), std: jsonNum(s.std), min: jsonNum(s.min), max: jsonNum(s.max),
  };
}

/**
 * The --json document: loss_q, loss_pi, every node with its full shape and, for the value
 * and the gradient, the chosen rows' numbers and statistics over the whole batch (a loss is
 * one number), and each parameter's gradient norm.
 */
export function traceJson(trace: Trace, rows: readonly number[]) {
  return {
    loss_q: jsonNum(trace.lossQ),
    loss_pi: jsonNum(trace.lossPi),
    nodes: trace.nodes.map((n) => ({
      name: n.name, shape: n.shape, value: jsonValue(n, n.value, rows, 'value'), grad: n.grad && jsonValue(n, n.grad, rows, 'grad'),
    })),
    params: Object.fromEntries([...gradNorms(trace)].map(([name, norm]) => [name, { grad_norm: jsonNum(norm) }])),
  };
}

/** Wraps text to `width` columns, each line indented by `indent`. */
function wrap(text: string, indent: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line && indent.length + line.length + 1 + w.length > width) {
      lines.push(indent + line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

/** The human-readable trace: per chosen row, the policy chain and then the backup chain. */
export function traceText(trace: Trace, rows: readonly number[], explain: boolean, backend: string): string {
  const { sizes, opts, batchSize: B } = trace;
  const out: string[] = [
    `softac trace: obs_dim ${sizes.obsDim}, act_dim ${sizes.actDim}, hidden ${sizes.hidden.join(',')}; a batch of ${B} rows; `
    + `alpha ${opts.alpha}, gamma ${opts.gamma}, act_limit ${opts.actLimit}; kernels ${backend}`,
    `loss_pi = ${fmt(trace.lossPi)}    loss_q = ${fmt(trace.lossQ)}`,
  ];
  const label = (n: TraceNode) => `${n.name}${n.shape.length > 1 ? ` [${n.shape.slice(1).join(', ')}]` : ''}`;
  for (const row of rows) {
    const sentences = explain ? explainRow(trace, row) : null;
    for (const [loss, title] of [['loss_pi', 'the policy loss, from the squashed Gaussian to loss_pi'], ['loss_q', 'the Q loss, from the backup to loss_q']] as const) {
      const nodes = trace.nodes.filter((n) => n.loss === loss);
      const cells = nodes.map((n) => [label(n), fmtVec(rowOf(n, row)!), n.grad ? fmtVec(rowOf(n, row, 'grad')!) : `- (${noGradReason(n.name)})`, n.formula]);
      const head = ['node', 'value', `d ${loss} / d node`, 'computed as'];
      const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
      const line = (c: string[]) => `  ${c.map((x, i) => (i < c.length - 1 ? x.padEnd(widths[i]!) : x)).join('   ')}`.trimEnd();
      out.push('', `row ${row} of ${B}: ${title}`, line(head));
      cells.forEach((c, i) => {
        out.push(line(c));
        if (sentences) out.push(wrap(sentences.get(nodes[i]!.name)!, '      '), '');
      });
    }
  }
  out.push('', 'parameter gradients (L2 norm): pi.* of loss_pi, q1.* and q2.* of loss_q');
  const norms = [...gradNorms(trace)];
  const w = Math.max(...norms.map(([n]) => n.length));
  for (const [name, norm] of norms) out.push(`  ${name.padEnd(w)}  [${trace.grads.get(name)!.shape.join(', ')}]`.padEnd(w + 16) + fmt(norm));
  return `${out.join('\n')}\n`;
}

/**
 * Random networks (PyTorch's default initialisation) with a target a little apart, and a
 * batch of 4 rows: row 2 is terminal, and row 3's noise is large enough to push |u| past
 * 9, where the naive tanh correction breaks.
 */
export function writeTraceExample(dir: string): void {
  const sizes = { obsDim: 3, actDim: 2, hidden: [16, 16] }, B = 4;
  const rng = new Rng(0);
  const params = new ParameterSet(actorCriticSpecs(sizes)), targ = new ParameterSet(actorCriticSpecs(sizes, 'targ.'));
  new MLPActorCritic(params, '', sizes, [-1, -1], [1, 1]).init(rng);
  for (let i = 0; i < targ.size; i++) targ.data[i] = params.data[i]! + 0.02 * rng.normal();
  const state = new Map<string, NamedTensor>();
  for (const set of [params, targ]) for (const n of set.names) state.set(n, { shape: set.get(n).shape, data: set.get(n).data });
  const normal = (n: number) => rng.fillNormal(new Float32Array(n));
  const noisePi = normal(B * sizes.actDim);
  noisePi[3 * sizes.actDim] = 12;
  const batch = new Map<string, NamedTensor>([
    ['obs', { shape: [B, sizes.obsDim], data: normal(B * sizes.obsDim) }],
    ['act', { shape: [B, sizes.actDim], data: Float32Array.from({ length: B * sizes.actDim }, () => rng.uniformIn(-1, 1)) }],
    ['rew', { shape: [B], data: normal(B) }],
    ['obs2', { shape: [B, sizes.obsDim], data: normal(B * sizes.obsDim) }],
    ['done', { shape: [B], data: Float32Array.of(0, 0, 1, 0) }],
    ['noise_pi', { shape: [B, sizes.actDim], data: noisePi }],
    ['noise_targ', { shape: [B, sizes.actDim], data: normal(B * sizes.actDim) }],
  ]);
  mkdirSync(dir, { recursive: true });
  const ckpt = join(dir, 'checkpoint.safetensors'), batchPath = join(dir, 'batch.safetensors');
  saveSafetensors(ckpt, state, { format: 'pt' });
  saveSafetensors(batchPath, batch, { format: 'pt' });
  console.log(`softac: wrote ${ckpt} (random networks: obs_dim 3, act_dim 2, hidden 16,16, and a target copy under targ.*)`);
  console.log(`        and ${batchPath} (${B} rows; row 2 is a true termination, row 3's noise pushes |u| past 9). Try:`);
  console.log(`  softac trace --checkpoint ${ckpt} --batch ${batchPath} --rows 2,3 --explain`);
  console.log(`  softac trace --checkpoint ${ckpt} --batch ${batchPath} --rows 0,3 --explain --html ${join(dir, 'trace.html')}`);
}
