/** Imports point downward through the layers and form no cycle (scripts/check-imports.mjs). */
import { fileURLToPath } from 'node:url';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { runSync } from '../helpers/spawn.js';

const script = fileURLToPath(new URL('../../../scripts/check-imports.mjs', import.meta.url));

test('no upward or sideways import between layers, no import cycle', () => {
  const r = runSync(process.execPath, [script], { timeoutMs: 30_000 });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, / 0 problems\n$/);
});

test.run();
