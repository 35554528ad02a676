/**
 * `softac trace` from the command line: the text, --json, --grads-out and --explain on the
 * PyTorch fixture, --example, and every bad input refused with the argument, the expected
 * and the received value (exit 2 for a bad flag, 1 for a bad file), never a stack trace.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { encodeSafetensors, loadSafetensors, type NamedTensor } from '../../src/io/safetensors.js';
import { traceCommand, traceText } from '../../src/cli/trace.js';
import { UsageError } from '../../src/cli/usage.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { fmtVec } from '../../src/trace/explain.js';
import { traceUpdate } from '../../src/trace/trace.js';
import { assertClose } from '../helpers/assert.js';
import { runCliSync as softac } from '../helpers/spawn.js';
import { caseFiles, caseOptions, fixture, fixturePath, numbers } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'softac-trace-'));
const c = fixture.cases[0]!;
const ckpt = fixturePath(c.checkpoint), batch = fixturePath(c.batch);
const base = ['trace', '--checkpoint', ckpt, '--batch', batch, '--alpha', String(c.alpha), '--gamma', String(c.gamma), '--act-limit', String(c.act_limit)];

test('the text shows both chains of the chosen rows, every node with its value and gradient, and the parameter norms', () => {
  const r = softac([...base, '--rows', '1,4', '--explain']);
  assert.is(r.status, 0, r.stderr);
  for (const row of [1, 4]) {
    assert.ok(r.stdout.includes(`row ${row} of 6: the policy loss`), `row ${row}, policy chain`);
    assert.ok(r.stdout.includes(`row ${row} of 6: the Q loss`), `row ${row}, backup chain`);
  }
  const u4 = fmtVec(numbers(c.nodes.u!.value).slice(8, 10));
  assert.match(r.stdout, new RegExp(`\\n  u \\[2\\] +${u4.replace(/[[\]]/g, '\\$&')} `), 'row 4 u');
  for (const name of Object.keys(c.nodes)) assert.match(r.stdout, new RegExp(`\\n  ${name}( \\[\\d+\\])? `), `node ${name}`);
  assert.match(r.stdout, /correction_naive_f32 \[2\] +\[-2\.788, -inf\]/, 'the naive correction is -inf at u = 25');
  assert.match(r.stdout, /\n  pi\.net\.0\.weight +\[5, 3\] +\d/, 'a parameter gradient norm');
  // --explain: a sentence block under every node; row 1 is terminal, so the backup is the reward alone.
  const blocks = r.stdout.split('\n\n');
  assert.ok(blocks.filter((b) => /\n {6}\S/.test(b)).length >= 2 * Object.keys(c.nodes).length, 'a sentence block per node and row');
  assert.match(r.stdout, /\(1 - d\) = 0: the episode truly ended/);
  assert.match(r.stdout, /two advisors/);
  const { checkpoint, batch: b } = caseFiles(c);
  const plain = traceText(traceUpdate(referenceKernels, checkpoint, b, caseOptions(c)), [1], false, 'js');
  assert.ok(plain.includes('row 1 of 6: the Q loss') && !/The torso is|two advisors/.test(plain), 'no sentences without --explain');
});

test('--json has exactly the issue\'s shape, with the chosen rows and whole-batch statistics; --grads-out every gradient; --html', () => {
  const out = join(dir, 'grads.safetensors'), page = join(dir, 'trace.html');
  const r = softac([...base, '--rows', '0,4', '--json', '--grads-out', out, '--html', page]);
  assert.is(r.status, 0, r.stderr);
  assert.match(readFileSync(page, 'utf8'), /<section class="row" data-row="4">.*<svg class="graph"/s, '--html wrote the page (test/browser/trace-html.browser.ts opens it)');
  const j = JSON.parse(r.stdout);
  assert.equal(Object.keys(j).sort(), ['loss_pi', 'loss_q', 'nodes', 'params']);
  assertClose(j.loss_q, c.loss_q, { rtol: 1e-5 });
  assertClose(j.loss_pi, c.loss_pi, { rtol: 1e-5 });
  for (const n of j.nodes) assert.equal(Object.keys(n).sort(), ['grad', 'name', 'shape', 'value'], n.name);
  const node = (name: string) => j.nodes.find((n: { name: string }) => n.name === name);
  assert.equal(node('u').shape, [6, 2]);
  assert.equal(Object.keys(node('u').value.rows), ['0', '4']);
  assertClose(node('u').value.rows['4'], numbers(c.nodes.u!.value).slice(8, 10), { rtol: 1e-5, label: 'u row 4' });
  assertClose(node('u').grad.rows['0'], numbers(c.nodes.u!.grad!).slice(0, 2), { rtol: 1e-5, atol: 1e-6, label: 'du row 0' });
  assertClose(node('logp_pi').value.rows['0'], numbers(c.nodes.logp_pi!.value)[0]!, { rtol: 1e-5, label: 'logp_pi row 0 (a number per row)' });
  assert.equal(Object.keys(node('u').value).sort(), ['max', 'mean', 'min', 'rows', 'std']);
  assertClose(node('u').value.max, Math.max(...numbers(c.nodes.u!.value)), { rtol: 1e-6 });
  assert.is(node('correction_naive_f32').value.rows['4'][1], '-Infinity', 'non-finite numbers are strings');
  assert.is(node('correction_naive_f32').grad, null);
  assert.is(node('backup').grad, null);
  assert.is(typeof node('loss_pi').value, 'number');
  assert.equal(Object.keys(j.params).sort(), Object.keys(c.grads).sort());
  const norm = (name: string) => Math.hypot(...numbers(c.grads[name]!));
  assertClose(j.params['pi.mu_layer.weight'].grad_norm, norm('pi.mu_layer.weight'), { rtol: 1e-5 });
  const g = loadSafetensors(out).tensors;
  assert.equal([...g.keys()].sort(), Object.keys(c.grads).sort());
  for (const [name, want] of Object.entries(c.grads)) assertClose(g.get(name)!.data, numbers(want), { rtol: 1e-5, atol: 1e-6, label: name });
});

test('--example DIR writes a checkpoint and batch, and the command it prints runs', () => {
  const ex = join(dir, 'example');
  const r = softac(['trace', '--example', ex]);
  assert.is(r.status, 0, r.stderr);
  assert.ok(existsSync(join(ex, 'checkpoint.safetensors')) && existsSync(join(ex, 'batch.safetensors')));
  const cmd = r.stdout.split('\n').find((l) => l.trim().startsWith('softac trace --checkpoint'))!;
  const args = cmd.trim().split(/\s+/).slice(1);
  const run = softac(args);
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stdout, /row 3 of 4: the policy loss/);
  assert.match(run.stdout, /Here u =\s+\d+(\.\d+)?\s+rounds tanh\(u\) to exactly 1/, 'the example shows the naive correction failing');
});

function writeVariant(name: string, edit: (m: Map<string, NamedTensor>) => void, from = batch): string {
  const m = loadSafetensors(from).tensors;
  edit(m);
  const path = join(dir, name);
  writeFileSync(path, encodeSafetensors(m));
  return path;
}

test('bad input is refused with the argument, the expected and the received value, and no stack trace', async () => {
  const truncated = join(dir, 'truncated.safetensors');
  writeFileSync(truncated, readFileSync(batch).subarray(0, 300));
  const f64 = join(dir, 'f64.safetensors');
  {
    const bytes = Buffer.from(readFileSync(ckpt));
    const n = Number(bytes.readBigUInt64LE(0));
    const header = bytes.subarray(8, 8 + n).toString().replace('"F32"', '"F64"');
    writeFileSync(f64, Buffer.concat([bytes.subarray(0, 8), Buffer.from(header), bytes.subarray(8 + n)]));
  }
  const noDone = writeVariant('no-done.safetensors', (m) => m.delete('done'));
  const wide = fixture.cases[1]!;
  const wrongCkpt = fixturePath(wide.checkpoint);
  const noTarg = join(dir, 'no-targ.safetensors');
  {
    const m = caseFiles(c).checkpoint;
    for (const k of [...m.keys()]) if (k.startsWith('targ.')) m.delete(k);
    writeFileSync(noTarg, encodeSafetensors(m));
  }
  copyFileSync(batch, join(dir, 'batch.safetensors'));
  const cases: [string[], number, RegExp][] = [
    [['trace'], 2, /--checkpoint FILE is required/],
    [['trace', '--checkpoint', ckpt], 2, /--batch FILE is required/],
    [[...base, '--alpha', 'lots'], 2, /--alpha must be a number >= 0, got 'lots'/],
    [[...base, '--gamma', '2'], 2, /--gamma must be a number from 0 to 1, got '2'/],
    [[...base, '--act-limit', '0'], 2, /--act-limit must be a number > 0, got '0'/],
    [[...base, '--rows', '1,x'], 2, /--rows must be a comma-separated list of row indices like 0,1, got '1,x'/],
    [[...base, '--rows', '6'], 2, /--rows: row 6 is out of range; the batch has 6 rows \(0 to 5\)/],
    [[...base, '--backend', 'gpu'], 2, /--backend must be js, native, wasm or auto, got 'gpu'/],
    [[...base, '--bogus'], 2, /--bogus/],
    [['trace', '--example', dir, '--json'], 2, /--example DIR only writes the example files/],
    [['trace', '--checkpoint', join(dir, 'none.safetensors'), '--batch', batch], 1, /--checkpoint .*none\.safetensors: not a readable safetensors file: cannot read the file/],
    [['trace', '--checkpoint', ckpt, '--batch', truncated], 1, /--batch .*truncated\.safetensors: not a readable safetensors file: .*(past the end|fall outside)/],
    [['trace', '--checkpoint', f64, '--batch', batch], 1, /--checkpoint .*f64\.safetensors: .*dtype "F64"; softac reads F32 only/],
    [['trace', '--checkpoint', ckpt, '--batch', noDone], 1, /--batch .*no-done\.safetensors: has no tensor 'done'/],
    [['trace', '--checkpoint', wrongCkpt, '--batch', batch], 1, /--batch .*: 'obs' has shape \[6, 3\], expected \[6, 4\]; the checkpoint's networks read obs_dim 4/],
    [['trace', '--checkpoint', noTarg, '--batch', batch], 1, /--checkpoint .*no-targ\.safetensors: state dict is missing 'targ\.pi\.net\.0\.weight'.*target copy too/],
    [['trace', '--checkpoint', batch, '--batch', batch], 1, /--checkpoint .*: state dict has no 'pi\.net\.0\.weight'/],
    [[...base, '--html', join(dir, 'no-such-dir', 'trace.html')], 1, /--html .*trace\.html: cannot write the file \(ENOENT\)/],
  ];
  // In-process (a usage error is a UsageError, exit code 2), then two through the real CLI.
  for (const [args, code, re] of cases) {
    const what = args.slice(-2).join(' ');
    const e = await traceCommand(args.slice(1)).then(() => null, (x: unknown) => x as Error & { code?: string });
    assert.ok(e, `${what}: refused`);
    assert.is(e instanceof UsageError || e.code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1, code, `${what}: ${e.message}`);
    assert.match(e.message, re, what);
  }
  for (const [args, code, re] of [cases[6]!, cases[14]!]) {
    const r = softac(args);
    assert.is(r.status, code, r.stderr);
    assert.match(r.stderr, re);
    assert.match(r.stderr, /^softac: /);
    assert.not.match(r.stderr, /\n\s+at /, `no stack trace: ${r.stderr}`);
  }
});

test.run();
