/**
 * The addon against TypeScript where both hold a constant: the log_std bounds of the
 * squashed Gaussian live once per language (native/src/kernels.h, src/kernels/types.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { LOG_STD_MAX, LOG_STD_MIN, rawAddon } from '../../src/kernels/index.js';

// SOFTAC_BACKEND=js tests the TypeScript layer alone (see helpers/backends.ts).
const raw = process.env.SOFTAC_BACKEND === 'js' ? null : rawAddon();
if (process.env.SOFTAC_BACKEND === 'native' && !raw) throw new Error('SOFTAC_BACKEND=native but the addon is not built');

if (raw) {
  test('the addon clamps log_std to the bounds TypeScript has', () => {
    const { logStdMin, logStdMax } = raw.info();
    assert.is(logStdMin, LOG_STD_MIN);
    assert.is(logStdMax, LOG_STD_MAX);
  });
}

test.run();
