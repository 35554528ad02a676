/**
 * The loaders under mutation fuzzing (test/helpers/fuzz.ts): 10,000 mutated files, each
 * either decoded consistently or refused with a 'safetensors '/'policy ' RangeError or
 * TypeError; no other exception, no hang. `npm run fuzz` runs the same cases longer.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { describeCase, runFuzz } from '../helpers/fuzz.js';

test('10,000 mutated files: every one decodes consistently or is refused with a named error', () => {
  const stats = runFuzz(1, 10_000);
  assert.is(stats.cases, 10_000);
  assert.equal(stats.failures.slice(0, 5).map(describeCase), []);
  // The mutations reach every stage: some files still decode, some policies still load.
  assert.ok(stats.decoded > 500 && stats.refused > 5000, `decoded ${stats.decoded}, refused ${stats.refused}`);
  assert.ok(stats.policies > 100 && stats.policyRefused > 100, `policies ${stats.policies}, refused ${stats.policyRefused}`);
});

test.run();
