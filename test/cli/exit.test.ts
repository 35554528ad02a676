/**
 * Every softac command ends its own process once its output is flushed, with its status;
 * when Node's teardown stalls (test/fixtures/stall-exit.mjs blocks it as the deadlock of
 * nodejs/node#54918 does), the native backstop still ends it, with the same status.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { tryLoadNative } from '../../src/kernels/index.js';
import { cleanEnv, cli, run } from '../helpers/spawn.js';

const stall = pathToFileURL(fileURLToPath(new URL('../../../test/fixtures/stall-exit.mjs', import.meta.url))).href;
const stalled = (args: string[], env = cleanEnv(), timeoutMs = 30_000) => run(process.execPath, ['--import', stall, cli, ...args], { env, timeoutMs });

if (tryLoadNative()) {
  test('a stalled exit is ended by the backstop after 5 s with the status of the command (0, or 2 for a bad flag); without the fix it never ends', async () => {
    const t0 = performance.now();
    const unfixed = stalled(['info'], { ...cleanEnv(), SOFTAC_NO_EXIT_FIX: '1' }, 8000).then(() => null, (err: Error) => err);
    const [ok, bad] = await Promise.all([stalled(['info']), stalled(['train', '--gamma', '2'])]);
    const s = (performance.now() - t0) / 1000;
    assert.is(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^backend: native/);
    assert.is(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /--gamma must be a number in \[0, 1\], got 2/);
    for (const r of [ok, bad]) assert.match(r.stderr, /softac: Node's exit stalled \(nodejs\/node#54918\); ending the process\n$/);
    assert.ok(s > 4.5 && s < 25, `the backstop took ${s.toFixed(1)} s`);
    assert.match((await unfixed)?.message ?? 'it exited', /^hung: node --import .*stall-exit\.mjs .*main\.js info was still running after 8000 ms/);
  });
}

test.run();
