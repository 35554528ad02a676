/** Imports point downward through the layers and form no cycle (scripts/check-imports.mjs). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

const script = fileURLToPath(new URL('../../../scripts/check-imports.mjs', import.meta.url));

test('no upward or sideways import between layers, no import cycle', () => {
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 30_000 });
  assert.is(r.error, undefined, `hung or failed to start: node ${script}`);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, / 0 problems\n$/);
});

test.run();
