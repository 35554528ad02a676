/**
 * `softac trace --html`: the page, opened in real headless Chromium (Debian's chromium,
 * driven by playwright-core), renders the graph's nodes with their values and gradients,
 * the sentences beside them, and the two plots; it switches rows, makes no request and
 * logs no error. Run by `npm run test:browser`, which needs Debian's Chromium.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { traceHtml } from '../../src/cli/trace-html.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { explainRow, fmtVec } from '../../src/sac/explain.js';
import { rowOf, traceNode, traceUpdate } from '../../src/sac/trace.js';
import { caseFiles, caseOptions, fixture } from '../trace/helpers.js';
import { launchChromium } from './chromium.js';

const GRAPH_NODES = 17; // the policy chain's nodes; clamp_active is drawn inside log_std_clamped

test('the page renders the nodes, the sentences and the plots in headless Chromium, and switches rows', async () => {
  const c = fixture.cases[0]!, { checkpoint, batch } = caseFiles(c);
  const t = traceUpdate(referenceKernels, checkpoint, batch, caseOptions(c));
  const file = join(mkdtempSync(join(tmpdir(), 'softac-html-')), 'trace.html');
  writeFileSync(file, traceHtml(t, [3, 4], true));

  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => { if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`); });
    await page.goto(pathToFileURL(file).href);

    const visible = page.locator('section.row:not([hidden])');
    assert.is(await visible.count(), 1, 'one row shown at a time');
    assert.is(await visible.getAttribute('data-row'), '3');
    assert.is(await visible.locator('svg.graph .node').count(), GRAPH_NODES);
    for (const box of await visible.locator('svg.graph .node').all()) {
      assert.ok((await box.boundingBox())!.width > 100, 'each node is laid out');
    }
    const uBox = visible.locator('.node[data-node="u"]');
    assert.is(await uBox.locator('.value').textContent(), `value ${fmtVec(rowOf(traceNode(t, 'u'), 3)!)}`);
    assert.is(await uBox.locator('.grad').textContent(), `grad ${fmtVec(rowOf(traceNode(t, 'u'), 3, 'grad')!)}`);
    assert.match(await visible.locator('.node.clamped .flag').textContent() ?? '', /clamp active: \[1, 1\]/);

    // The sentences beside the nodes, with the row's numbers; hovering a node lights its sentence.
    const sentences = explainRow(t, 3);
    assert.is(await visible.locator('.side li .explain').count(), GRAPH_NODES);
    assert.is(await visible.locator('.side li[data-node="q_pi"] .explain').textContent(), sentences.get('q_pi'));
    assert.is(await visible.locator('td.explain').count(), t.nodes.length);
    await uBox.hover();
    assert.match(await visible.locator('.side li[data-node="u"]').getAttribute('class') ?? '', /hot/);

    // Two plots, each with a stable curve of hundreds of points and a naive one broken by -inf / NaN.
    assert.is(await page.locator('svg.plot').count(), 2);
    for (const id of ['plot-correction', 'plot-gradient']) {
      const d = (cls: string) => page.locator(`#${id} path.curve.${cls}`).getAttribute('d');
      const stable = (await d('stable'))!, naive = (await d('naive'))!;
      assert.ok((stable.match(/L/g) ?? []).length >= 500, `${id}: the stable curve has many points`);
      assert.ok((naive.match(/M/g) ?? []).length === 1 && (naive.match(/L/g) ?? []).length >= 100, `${id}: the naive curve is finite only around 0`);
      assert.ok(await page.locator(`#${id} text.bad`).count() > 10, `${id}: its -inf / NaN are marked`);
      assert.is(await page.locator(`#${id} line.mark`).count(), 4, `${id}: the u of rows 3 and 4 are marked`);
      const box = (await page.locator(`#${id}`).boundingBox())!;
      assert.ok(box.width > 400 && box.height > 200, `${id} is drawn`);
    }

    await page.selectOption('#row', '4');
    assert.is(await visible.getAttribute('data-row'), '4');
    assert.is(await visible.locator('.node[data-node="u"] .value').textContent(), `value ${fmtVec(rowOf(traceNode(t, 'u'), 4)!)}`);
    assert.equal(problems, [], 'no console error, page error or network request');
  } finally {
    await browser.close();
  }
});

test.run();
