/** `softac trace --explain`: a sentence for every node and row, carrying that row's numbers and the key ideas. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { referenceKernels } from '../../src/kernels/index.js';
import { explainRow, fmt, fmtVec } from '../../src/trace/explain.js';
import { rowOf, traceNode, traceUpdate } from '../../src/trace/trace.js';
import { caseFiles, caseOptions, fixture } from './helpers.js';

const traces = fixture.cases.map((c) => {
  const { checkpoint, batch } = caseFiles(c);
  return traceUpdate(referenceKernels, checkpoint, batch, caseOptions(c));
});

test('numbers print with 4 significant digits, infinities and NaN by name', () => {
  assert.is(fmt(3.21449), '3.214');
  assert.is(fmt(-0.000123456), '-0.0001235');
  assert.is(fmt(2.0611536e-9), '2.061e-9');
  assert.is(fmt(25), '25');
  assert.is(fmt(-Infinity), '-inf');
  assert.is(fmt(NaN), 'NaN');
  assert.is(fmtVec([1, -2.5]), '[1, -2.5]');
  assert.is(fmtVec([7]), '7');
  assert.is(fmtVec([1, 2, 3, 4, 5, 6, 7]), '[1, 2, 3, 4, … (7 values)]');
});

test('every node of every row has one or two sentences that show the row\'s own value', () => {
  for (const t of traces) {
    for (let row = 0; row < t.batchSize; row++) {
      const s = explainRow(t, row);
      assert.equal([...s.keys()].sort(), t.nodes.map((n) => n.name).sort(), 'a sentence for each node');
      for (const n of t.nodes) {
        const text = s.get(n.name)!;
        assert.ok(text.includes(fmtVec(rowOf(n, row)!)), `row ${row}, ${n.name}: '${text}' shows ${fmtVec(rowOf(n, row)!)}`);
        // Sentence ends: a full stop, or a colon, before a capital letter or the end.
        const sentences = text.split(/[.!?](?:\s+(?=[A-Z])|$)/).filter((x) => x.trim());
        assert.ok(sentences.length >= 1 && sentences.length <= 2, `row ${row}, ${n.name}: ${sentences.length} sentences: ${text}`);
      }
    }
  }
});

test('the sentences carry the ideas: two advisors, slower target advisors, (1 - d), paying for entropy, clamp, correction', () => {
  const t = traces[0]!;
  const at = (row: number, name: string) => explainRow(t, row).get(name)!;
  const v = (name: string, row: number) => fmt(rowOf(traceNode(t, name), row)![0]!);
  for (let row = 0; row < t.batchSize; row++) {
    const qPi = at(row, 'q_pi');
    assert.ok(/two advisors/.test(qPi) && qPi.includes(`q1 says ${v('q1_pi', row)}`) && qPi.includes(`q2 says ${v('q2_pi', row)}`), qPi);
    assert.match(qPi, /trust the smaller/);
    assert.match(at(row, 'q1_pi_targ'), /older, slower advisors/);
    assert.match(at(row, 'q_pi_targ'), new RegExp(`min\\(${v('q1_pi_targ', row).replace('.', '\\.')}, `));
    assert.match(at(row, 'logp_a2'), /pays for entropy/);
    assert.ok(at(row, 'logp_a2').includes(fmt(t.opts.alpha * rowOf(traceNode(t, 'logp_a2'), row)![0]!)), 'alpha * logp_a2 in numbers');
  }
  // Row 1 is terminal, row 0 is not.
  assert.match(at(1, 'backup'), /\(1 - d\) = 0: the episode truly ended/);
  assert.match(at(1, 'backup'), / \* 0 \* /);
  assert.match(at(0, 'backup'), /\(1 - d\) = 1, so the future counts/);
  // Row 3 is clamped (above and below); row 4 has u = 25, where the naive correction is -inf.
  assert.match(at(3, 'log_std'), /Dimensions 0 and 1 are outside \[-20, 2\]/);
  assert.match(at(3, 'clamp_active'), /\[1, 1\]/);
  assert.match(at(0, 'log_std'), /Every entry is inside/);
  assert.match(at(4, 'correction_naive_f32'), /Here u = 25 rounds tanh\(u\) to exactly 1, so this is log\(0\) = -inf/);
  assert.match(at(5, 'correction_naive_f32'), /agrees with the stable form/);
  assert.match(at(4, 'correction'), /2 \(log 2 - u - softplus\(-2u\)\)/);
  // The critic that is not the smaller gets no gradient, and the sentence says so.
  const row = [0, 1, 2, 3, 4, 5].find((r) => rowOf(traceNode(t, 'q2_pi'), r)![0]! > rowOf(traceNode(t, 'q1_pi'), r)![0]!)!;
  assert.match(at(row, 'q2_pi'), /The other critic is smaller here, so this one gets gradient 0/);
  assert.match(at(row, 'q1_pi'), /It is the smaller of the two here/);
});

test.run();
