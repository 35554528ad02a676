/**
 * `softac trace --html`: the page, opened in real headless Chromium (Debian's chromium,
 * driven by playwright-core), renders the graph's nodes with their values and gradients,
 * the sentences beside them, and the two plots; it switches rows, makes no request and
 * logs no error; and it fits every window width from 1024 to 1920 pixels (screenshots of
 * each are kept for a person to look at). Run by `npm run test:browser`, which needs
 * Debian's Chromium.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { traceHtml } from '../../src/trace/html.js';
import { referenceKernels } from '../../src/kernels/index.js';
import { explainRow, fmtVec } from '../../src/trace/explain.js';
import { rowOf, traceNode, traceUpdate } from '../../src/trace/trace.js';
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

/** What the fit test measures in the page: the document's width and every box that does not fit. */
interface Fit {
  innerWidth: number;
  scrollWidth: number;
  /** Boxes whose right edge lies past the window's: cut off, or reached only by scrolling sideways. */
  past: string[];
  /** Boxes whose content is wider than the box: it spills over its neighbours, or is clipped. */
  spilling: string[];
  /** Lines of a graph node that run past the node's border. */
  nodeLines: string[];
}

// Runs in the page. Boxes of nothing (the hidden row's) are skipped; inline boxes have no
// scroll width of their own, their block's counts them; SVG shapes are checked by their
// right edge only, and a graph node's lines against its box (in the SVG's own units).
const MEASURE_FIT = `(() => {
  const label = (el) => el.tagName.toLowerCase() + (el.getAttribute('class') ? '.' + el.getAttribute('class').trim().replace(/\\s+/g, '.') : '')
    + (el.dataset && el.dataset.node ? '[' + el.dataset.node + ']' : '');
  const past = [], spilling = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > innerWidth + 0.5) past.push(label(el) + ': right edge at ' + box.right.toFixed(1));
    if (!(el instanceof SVGElement) && getComputedStyle(el).display !== 'inline' && el.scrollWidth > el.clientWidth) {
      spilling.push(label(el) + ': content ' + el.scrollWidth + ' wide in a box of ' + el.clientWidth);
    }
  }
  const nodeLines = [];
  for (const g of document.querySelectorAll('section.row:not([hidden]) .node')) {
    const inner = g.querySelector('rect').getBBox().width - 4;
    for (const t of g.querySelectorAll('text')) {
      const end = t.getBBox().x + t.getBBox().width;
      if (end > inner) nodeLines.push(g.dataset.node + ' ' + t.getAttribute('class') + ': ends at ' + end.toFixed(1) + ', the box at ' + inner);
    }
  }
  return { innerWidth, scrollWidth: document.documentElement.scrollWidth, past, spilling, nodeLines };
})()`;

test('the page fits windows 1024, 1400 and 1920 pixels wide: no sideways scroll, nothing past an edge or cut', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'softac-html-fit-'));
  console.log(`\n  screenshots: ${dir}/{${fixture.cases.map((c) => c.name).join(',')}}-{1024,1400,1920}{,-full}.png`);
  const browser = await launchChromium();
  try {
    for (const c of fixture.cases) {
      const { checkpoint, batch } = caseFiles(c);
      const file = join(dir, `${c.name}.html`);
      writeFileSync(file, traceHtml(traceUpdate(referenceKernels, checkpoint, batch, caseOptions(c)), [3, 4], true));
      for (const width of [1024, 1400, 1920]) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        await page.goto(pathToFileURL(file).href);
        await page.screenshot({ path: join(dir, `${c.name}-${width}.png`) });
        await page.screenshot({ path: join(dir, `${c.name}-${width}-full.png`), fullPage: true });
        for (const row of ['3', '4']) {
          await page.selectOption('#row', row);
          const fit = await page.evaluate(MEASURE_FIT) as Fit;
          const where = `${c.name}, row ${row}, ${width} pixels`;
          assert.is(fit.innerWidth, width);
          assert.ok(fit.scrollWidth <= fit.innerWidth, `${where}: the page is ${fit.scrollWidth} pixels wide`);
          assert.equal(fit.past, [], `${where}: boxes past the right edge`);
          assert.equal(fit.spilling, [], `${where}: boxes whose content spills`);
          assert.equal(fit.nodeLines, [], `${where}: node lines past their box`);
        }
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
});

test.run();
