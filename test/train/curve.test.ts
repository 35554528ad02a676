/** learning-curve.svg: one polyline per series, non-finite epochs skipped, the title escaped. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { learningCurveSvg } from '../../src/train/curve.js';

test('train and test series are drawn over env steps; NaN points (no finished episode) are left out', () => {
  const svg = learningCurveSvg([
    { steps: 2000, train: NaN, test: -1400 }, { steps: 4000, train: -800, test: -150 }, { steps: 6000, train: -300, test: -140 },
  ], 'SAC on <my env>');
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  const lines = [...svg.matchAll(/<polyline[^>]*points="([^"]+)"/g)].map((m) => m[1]!.split(' ').length);
  assert.equal(lines, [2, 3]);
  assert.ok(svg.includes('SAC on &lt;my env>'));
  assert.not.ok(/NaN|Infinity/.test(svg));
  assert.not.ok(/href|<script|@import/.test(svg), 'self-contained');
});

test('an empty run still gives a valid drawing', () => {
  const svg = learningCurveSvg([], 'nothing yet');
  assert.ok(svg.includes('</svg>'));
  assert.not.ok(/NaN|Infinity/.test(svg));
});

test.run();
